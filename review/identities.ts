/**
 * The identities the scenarios use. A and B are ordinary identity ids (`<region>:<uuid>`); C's id
 * is A's with one more character, so a folder name matched without its trailing slash (`…/A*`)
 * would also match C's folder.
 */
export interface ScenarioIdentities {
  A: string;
  B: string;
  C: string;
  /** An identity of another identity pool (a principal of another account that signed in with Cognito). */
  D: string;
}

export function scenarioIdentities(region: string): ScenarioIdentities {
  const A = `${region}:aaaa0001-aaaa-4aaa-8aaa-aaaaaaaaaaaa`;
  return { A, B: `${region}:bbbb0002-bbbb-4bbb-8bbb-bbbbbbbbbbbb`, C: `${A}x`, D: `${region}:dddd0004-dddd-4ddd-8ddd-dddddddddddd` };
}

export type IdentityName = "A" | "B" | "C";
