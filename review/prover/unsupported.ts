/**
 * A policy construct the prover does not encode. It never becomes a silent pass: the property
 * whose query needed the statement is reported as "UNKNOWN — not proved", naming both.
 */
export class UnsupportedConstruct extends Error {
  override name = "UnsupportedConstruct";
  constructor(
    /** The construct, e.g. `condition operator NumericLessThan` or `policy variable ${aws:username}`. */
    readonly construct: string,
    /** `policy › statement`, filled in by the encoder when it knows the statement. */
    readonly where?: string,
  ) {
    super(where ? `${construct} in ${where}` : construct);
  }

  at(where: string): UnsupportedConstruct {
    return this.where ? this : new UnsupportedConstruct(this.construct, where);
  }
}
