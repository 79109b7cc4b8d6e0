/**
 * IAM documents as the pack meets them in resource props: JSON text or an object, possibly holding
 * values that are unknown during preview. Parsing is iam/document.ts's job (the one
 * parser the reviewer command and the policy tests use); this module only adds the three outcomes a
 * policy has to tell apart.
 */
import { COGNITO_IDENTITY_PRINCIPAL } from "../../iam/cognito";
import { parseIamDocument, PolicyInputError, type DocumentUse, type IamDocument } from "../../iam/document";
import { isUnknownValueError } from "./unknowns";

export type DocumentRead =
  | { kind: "parsed"; doc: IamDocument }
  | { kind: "absent" }
  /** Not known until the resources it is built from exist (preview). */
  | { kind: "unknown"; error: Error }
  /** Known, but not a valid document for its use: the parser's message. */
  | { kind: "invalid"; message: string; text: string };

/** Parses the document returned by `read` (which may throw on unknown values) for `use`. */
export function readDocument(read: () => unknown, use: DocumentUse, source: string): DocumentRead {
  try {
    const raw = read();
    if (raw === undefined || raw === null || raw === "") return { kind: "absent" };
    try {
      return { kind: "parsed", doc: parseIamDocument(raw, use, source) };
    } catch (e) {
      if (e instanceof PolicyInputError) return { kind: "invalid", message: e.message, text: typeof raw === "string" ? raw : safeStringify(raw) };
      throw e;
    }
  } catch (e) {
    if (isUnknownValueError(e)) return { kind: "unknown", error: e };
    throw e;
  }
}

function safeStringify(raw: unknown): string {
  try {
    return JSON.stringify(raw);
  } catch {
    return "";
  }
}

/** Invalid text that still names the Cognito principal: a trust the pack must not wave through. */
export const mentionsCognitoIdentity = (text: string) => text.includes(COGNITO_IDENTITY_PRINCIPAL);
