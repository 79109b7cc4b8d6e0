/** The project's name: the Pulumi project, its config namespace and its component package. */
export const PROJECT = "identity-scoped-storage";

/** `identity-scoped-storage:index:<Name>`: the type token of one of the project's components. */
export const componentType = (name: string) => `${PROJECT}:index:${name}`;
