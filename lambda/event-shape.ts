/**
 * The shape of an API Gateway (payload 2.0) event. API Gateway always sends strings where strings
 * belong, but the function can also be invoked directly with any JSON; a header, path or query
 * value, a body or `isBase64Encoded` of another type would otherwise reach code that assumes the
 * documented shape and fail as a 500. Here it is a 400 naming the field.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { badRequest } from "./request-input";

const STRING_MAPS = ["headers", "queryStringParameters", "pathParameters"] as const;

/** Every field of `event` that does not have its documented type. */
export function eventShapeProblems(event: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const field of STRING_MAPS) {
    const value = event[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== "object" || Array.isArray(value)) {
      problems.push(`${field} must be an object of strings`);
      continue;
    }
    for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
      if (typeof item !== "string") problems.push(`${field}.${name.slice(0, 64)} must be a string`);
    }
  }
  if (event.body !== undefined && event.body !== null && typeof event.body !== "string") problems.push("body must be a string");
  if (event.isBase64Encoded !== undefined && typeof event.isBase64Encoded !== "boolean") problems.push("isBase64Encoded must be true or false");
  if (event.cookies !== undefined && (!Array.isArray(event.cookies) || event.cookies.some((c) => typeof c !== "string"))) problems.push("cookies must be an array of strings");
  return problems;
}

export function checkEventShape(event: APIGatewayProxyEventV2): void {
  const problems = eventShapeProblems(event as unknown as Record<string, unknown>);
  if (problems.length > 0) throw badRequest("invalid_event", `The event is not an API Gateway request: ${problems.join("; ")}.`, { problems });
}
