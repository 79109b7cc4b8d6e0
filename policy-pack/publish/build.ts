/**
 * Makes the pack publishable: `pulumi policy publish` uploads one directory, and policy-pack/
 * imports the shared IAM core from ../iam, outside it. This
 * bundles index.ts and everything it imports (except the policy SDK, which the pack's
 * package.json installs) into dist/policy-pack/index.js, beside a package.json, PulumiPolicy.yaml
 * and README.md: a self-contained pack directory.
 *
 *   npm exec -- tsx policy-pack/publish/build.ts [outdir]     (default dist/policy-pack)
 *   cd dist/policy-pack && npm install && pulumi policy publish <org>
 */
import { build, type Metafile } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

export const PACK_DIR = path.resolve(__dirname, "..");
export const DEFAULT_PUBLISH_DIR = path.resolve(PACK_DIR, "..", "dist", "policy-pack");
/** Installed in the published directory (its package.json), never bundled. */
export const EXTERNAL = ["@pulumi/policy", "@pulumi/pulumi"];

export interface PublishableBundle {
  outdir: string;
  file: string;
  metafile: Metafile;
}

export async function buildPublishablePack(outdir: string = DEFAULT_PUBLISH_DIR): Promise<PublishableBundle> {
  mkdirSync(outdir, { recursive: true });
  const file = path.join(outdir, "index.js");
  const result = await build({
    entryPoints: [path.join(PACK_DIR, "index.ts")],
    outfile: file,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    sourcemap: false,
    metafile: true,
    logLevel: "silent",
    external: EXTERNAL,
  });
  const source = JSON.parse(readFileSync(path.join(PACK_DIR, "package.json"), "utf8")) as { name: string; version: string; description: string; license: string; dependencies: Record<string, string> };
  const manifest = {
    name: source.name,
    version: source.version,
    description: source.description.replace(/ Installed by .*$/, ""),
    license: source.license,
    main: "index.js",
    dependencies: Object.fromEntries(EXTERNAL.map((d) => [d, source.dependencies[d]])),
  };
  writeFileSync(path.join(outdir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const f of ["PulumiPolicy.yaml", "README.md"]) copyFileSync(path.join(PACK_DIR, f), path.join(outdir, f));
  return { outdir, file, metafile: result.metafile };
}

if (require.main === module) {
  buildPublishablePack(process.argv[2] ? path.resolve(process.argv[2]) : undefined).then(
    (bundle) => console.log(`${path.relative(process.cwd(), bundle.outdir)}: publishable policy pack (index.js, package.json, PulumiPolicy.yaml, README.md)`),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
