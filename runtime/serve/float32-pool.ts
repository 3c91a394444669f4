/** SLAB_FLOATS is the size of each slab Float32Pool carves small arrays from (256 KiB). */
export const SLAB_FLOATS = 64 * 1024;

/**
 * Float32Pool hands out small Float32Arrays as views into shared slabs, like Node's
 * Buffer pool: allocating a typed array of more than 64 bytes costs an ArrayBuffer
 * of its own (about 1 µs and GC work), a view costs a few tens of nanoseconds.
 * Slabs are never reused, so every view starts zeroed and no two views share
 * memory; a slab is freed once no view into it is alive. Arrays of more than 1/8
 * of a slab get a buffer of their own. Views do not own their `buffer`: code that
 * hands one to a library that may read `.buffer` directly should copy it (see
 * isStandalone).
 */
export class Float32Pool {
  #slab = new Float32Array(SLAB_FLOATS);
  #used = 0;

  /** alloc returns a zeroed Float32Array of `length` elements. */
  alloc(length: number): Float32Array {
    if (length > SLAB_FLOATS / 8) return new Float32Array(length);
    if (this.#used + length > SLAB_FLOATS) {
      this.#slab = new Float32Array(SLAB_FLOATS);
      this.#used = 0;
    }
    const view = this.#slab.subarray(this.#used, this.#used + length);
    this.#used += length;
    return view;
  }
}

/** isStandalone is true when `array` spans the whole of its buffer (not a view into a larger one). */
export function isStandalone(array: Float32Array): boolean {
  return array.byteOffset === 0 && array.byteLength === array.buffer.byteLength;
}
