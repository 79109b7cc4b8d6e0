/**
 * The component package's entry: the Pulumi CLI (`pulumi package add`, then every program that
 * uses the package) starts it through @pulumi/pulumi's plugin runner, and @pulumi/pulumi's
 * component provider host serves the three components over gRPC, with a schema inferred from
 * their TypeScript types and JSDoc. Other languages get generated SDKs from that schema.
 */
import { componentProviderHost } from "@pulumi/pulumi/provider/experimental";
import { CognitoIdentity, FilesApi, IdentityScopedBucket } from "../components";
import { PROJECT } from "../contract/project";

/**
 * The components other languages can use, under the type tokens `identity-scoped-storage:index:<Name>`.
 * Not exported: the plugin runner would otherwise also try to host what it finds in the exports.
 */
const PACKAGE_COMPONENTS = [CognitoIdentity, IdentityScopedBucket, FilesApi];

// The package is named as the type tokens are; this directory's package.json and tsconfig.json
// scope the schema analysis to the components' own sources.
componentProviderHost({ components: PACKAGE_COMPONENTS, name: PROJECT, dirname: __dirname }).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
