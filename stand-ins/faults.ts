/** Errors (or silence) a stand-in gives instead of answering, per operation, in order: fault injection. */
export class Faults<Op extends string> {
  private readonly queued = new Map<Op, Array<() => Error>>();
  private readonly always = new Map<Op, () => Error>();
  private readonly silent = new Map<Op, number>();

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

  /** The next `times` calls of `operation` never answer (a service that went silent). */
  hangNext(operation: Op, times = 1): this {
    this.silent.set(operation, (this.silent.get(operation) ?? 0) + times);
    return this;
  }

  /** Throws the next fault for `operation`, if any; never settles if the call is to hang. */
  async raise(operation: Op): Promise<void> {
    const hangs = this.silent.get(operation) ?? 0;
    if (hangs > 0) {
      this.silent.set(operation, hangs - 1);
      await new Promise<never>(() => undefined);
    }
    const make = this.queued.get(operation)?.shift() ?? this.always.get(operation);
    if (make) throw make();
  }

  clear(): void {
    this.queued.clear();
    this.always.clear();
    this.silent.clear();
  }
}
