/** A typed array of the same kind with room for `capacity` elements, holding a's contents. */
export function grown<T extends Float64Array | Int32Array>(a: T, capacity: number): T {
  const b = new (a.constructor as new (n: number) => T)(capacity);
  b.set(a);
  return b;
}
