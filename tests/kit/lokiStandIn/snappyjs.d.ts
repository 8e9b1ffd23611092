// snappyjs ships no types: the two functions used, as its README documents them.
declare module "snappyjs" {
  export function uncompress(compressed: Uint8Array): Uint8Array;
  export function compress(uncompressed: Uint8Array): Uint8Array;
}
