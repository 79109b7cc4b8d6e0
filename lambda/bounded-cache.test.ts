import { BoundedCache } from "./bounded-cache";

it("keeps at most `capacity` entries, dropping the least recently used and reporting it", () => {
  const evicted: string[] = [];
  const cache = new BoundedCache<string, string>(2, (v) => evicted.push(v));
  cache.set("a", "A");
  cache.set("b", "B");
  expect(cache.get("a")).toBe("A"); // a is now more recent than b
  cache.set("c", "C");
  expect(cache.size).toBe(2);
  expect(cache.get("b")).toBeUndefined();
  expect(evicted).toEqual(["B"]);
});

it("reports a replaced value and a deleted one, but not a value set again", () => {
  const evicted: string[] = [];
  const cache = new BoundedCache<string, string>(5, (v) => evicted.push(v));
  cache.set("a", "A1");
  cache.set("a", "A1");
  cache.set("a", "A2");
  cache.delete("a");
  cache.delete("missing");
  expect(evicted).toEqual(["A1", "A2"]);
});

it("refuses a capacity that is not a positive integer", () => {
  expect(() => new BoundedCache(0)).toThrow(/positive integer/);
});
