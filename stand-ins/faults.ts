/** Errors a stand-in raises instead of answering, per operation, in order: fault injection. */
export class Faults<Op extends string> {
  private readonly queued = new Map<Op, Array<() => Error>>();
  private readonly always = new Map<Op, () => Error>();

  /** The next `times` calls of `operation` fail with a fresh `make()` each. */
  failNext(operation: Op, make: () => Error, times = 1): this {
    const queue = this.queued.get(operation) ?? [];
    for (let i = 0; i < times; i++) queue.push(make);
    this.queued.set(operation, queue);
    return this;
  }

  /** Every call of `operation` fails from now on (until `clear`). */
  failAlways(operation: Op, make: () => Error): this {
    this.always.set(operation, make);
    return this;
  }

  /** Throws the next fault for `operation`, if any. */
  raise(operation: Op): void {
    const make = this.queued.get(operation)?.shift() ?? this.always.get(operation);
    if (make) throw make();
  }

  clear(): void {
    this.queued.clear();
    this.always.clear();
  }
}
