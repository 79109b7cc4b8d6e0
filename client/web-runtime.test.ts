/**
 * FilesClient depends on nothing but `fetch` and the web platform (URL, TextEncoder, Response):
 * it is bundled here with its contract imports and run in a fresh JavaScript context holding only
 * those globals, with no Buffer, process or require, as in an edge runtime or a browser. A
 * dependency on a Node global would fail here, not in the app that ships it.
 */
import * as path from "node:path";
import * as vm from "node:vm";
import { build } from "esbuild";

interface Sent {
  method: string;
  url: string;
}

async function clientInWebContext() {
  const bundle = await build({
    entryPoints: [path.join(__dirname, "files-client.ts")],
    bundle: true,
    write: false,
    platform: "neutral",
    format: "iife",
    globalName: "filesClientModule",
    logLevel: "silent",
  });
  const sent: Sent[] = [];
  const fakeFetch = async (input: string, init: RequestInit = {}) => {
    sent.push({ method: init.method ?? "GET", url: input });
    const url = new URL(input);
    if (url.pathname === "/files" && (init.method ?? "GET") === "GET") return Response.json({ items: [{ key: "a//b", size: 1, lastModified: null, etag: null }], folders: [], nextContinuationToken: null });
    if (init.method === "HEAD") return new Response(null, { status: 200, headers: { "content-length": "1", "content-type": "text/plain" } });
    return Response.json({ key: "k", etag: '"e"' });
  };
  const context = vm.createContext({ fetch: fakeFetch, URL, URLSearchParams, TextEncoder, TextDecoder, Response, Headers, AbortController, setTimeout, clearTimeout, console });
  vm.runInContext(bundle.outputFiles[0]!.text, context);
  const { FilesClient } = (context as { filesClientModule: typeof import("./files-client") }).filesClientModule;
  return { client: new FilesClient({ endpoint: "https://api.example.com/", idToken: "token", fetch: fakeFetch as typeof fetch }), sent, context };
}

it("runs with only web globals: lists, reads properties by path or by ?key=, uploads inline and removes", async () => {
  const { client, sent, context } = await clientInWebContext();
  expect(vm.runInContext("[typeof Buffer, typeof process, typeof require]", context)).toEqual(["undefined", "undefined", "undefined"]);
  const page = await client.list({ prefix: "docs/" });
  expect(page.items.map((i) => i.key)).toEqual(["a//b"]);
  expect((await client.getProperties("a//b")).size).toBe(1);
  expect((await client.getProperties("é/x.txt")).contentType).toBe("text/plain");
  // Bytes made in the client's own context, as an app there would make them.
  const bytes = vm.runInContext("new Uint8Array([104, 101, 108, 108, 111])", context) as Uint8Array;
  await client.upload("notes/é.txt", bytes, { contentType: "text/plain" });
  await client.upload("notes/other-realm.txt", new TextEncoder().encode("hello")); // bytes from another realm: still 5 bytes, inline
  await client.remove("a//b");
  expect(sent).toEqual([
    { method: "GET", url: "https://api.example.com/files?prefix=docs%2F" },
    { method: "HEAD", url: "https://api.example.com/files?key=a%2F%2Fb" },
    { method: "HEAD", url: "https://api.example.com/files/%C3%A9/x.txt" },
    { method: "PUT", url: "https://api.example.com/files/notes/%C3%A9.txt" },
    { method: "PUT", url: "https://api.example.com/files/notes/other-realm.txt" },
    { method: "DELETE", url: "https://api.example.com/files?key=a%2F%2Fb" },
  ]);
});
