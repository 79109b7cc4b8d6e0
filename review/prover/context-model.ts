/**
 * The request context as the solver sees it: every condition key is either fixed by the request
 * being modelled (the caller's identity id, TLS, the list prefix…) or free, in which case the
 * solver may choose whether it is present and what it holds. Free keys make a proof stronger
 * (it holds whatever the caller sends); for the owner-access property they are left absent.
 * Multi-valued keys are modelled as a bounded set of optional members: a formula with n set
 * operators on a key that has a satisfying set also has one of at most n members (one witness
 * per ForAnyValue that holds and per ForAllValues that fails), so n + 1 members lose nothing.
 */
import type { Bool } from "z3-solver";
import type { Z3 } from "./solver";
import { free, literal, type SymStr } from "./sym-string";

export interface SingleKey {
  kind: "single";
  present: Bool<"main">;
  value: SymStr;
}
export interface SetKey {
  kind: "set";
  members: { present: Bool<"main">; value: SymStr }[];
}
export type ContextKey = SingleKey | SetKey;

/** Keys IAM documents as multi-valued (used with ForAnyValue/ForAllValues). */
const MULTI_VALUED = new Set(["cognito-identity.amazonaws.com:amr", "aws:tagkeys", "aws:calledvia"]);

export class ContextModel {
  private readonly keys = new Map<string, ContextKey>();
  /** Free keys created on demand, by their name as first written, for counterexamples. */
  readonly freeKeys = new Map<string, ContextKey>();

  constructor(
    private readonly z: Z3,
    /** Namespace for variable names, so two requests in one query do not share keys. */
    private readonly namespace: string,
    /** Members per free multi-valued key (see the file comment). */
    private readonly setSize: (key: string) => number,
    /** Whether keys nobody fixed are free (attacker) or absent (owner). */
    private readonly unfixed: "free" | "absent",
  ) {}

  fixSingle(name: string, present: Bool<"main"> | boolean, value: SymStr | string): void {
    this.keys.set(name.toLowerCase(), {
      kind: "single",
      present: typeof present === "boolean" ? this.z.Bool.val(present) : present,
      value: typeof value === "string" ? literal(this.z, value) : value,
    });
  }

  fixAbsent(name: string): void {
    this.fixSingle(name, false, "");
  }

  fixSet(name: string, members: { present: Bool<"main"> | boolean; value: SymStr | string }[]): void {
    this.keys.set(name.toLowerCase(), {
      kind: "set",
      members: members.map((m) => ({
        present: typeof m.present === "boolean" ? this.z.Bool.val(m.present) : m.present,
        value: typeof m.value === "string" ? literal(this.z, m.value) : m.value,
      })),
    });
  }

  get(name: string): ContextKey {
    const lower = name.toLowerCase();
    let key = this.keys.get(lower);
    if (key) return key;
    const id = `${this.namespace}|${lower}`;
    if (this.unfixed === "absent") {
      key = { kind: "single", present: this.z.Bool.val(false), value: literal(this.z, "") };
    } else if (MULTI_VALUED.has(lower) || this.setSize(lower) > 0) {
      const n = this.setSize(lower) + 1;
      key = {
        kind: "set",
        members: Array.from({ length: n }, (_, i) => ({ present: this.z.Bool.const(`${id}#${i}?`), value: free(this.z.String.const(`${id}#${i}`)) })),
      };
    } else {
      key = { kind: "single", present: this.z.Bool.const(`${id}?`), value: free(this.z.String.const(id)) };
    }
    this.keys.set(lower, key);
    if (this.unfixed === "free") this.freeKeys.set(name, key);
    return key;
  }
}
