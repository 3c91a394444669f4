/**
 * Pod IPs of the test node agent: every pod gets its own loopback address
 * 127.0.X.Y (X, Y in 1..254, so never 127.0.0.1, the node's address). Linux
 * routes all of 127.0.0.0/8 to `lo`, so a process can listen on any of them
 * without setup, and two pods can use the same port.
 *
 * The pool is shared by every agent of this Node process (several nodes in one
 * test do not collide). Addresses are handed out round-robin from a random
 * start, so a released address is reused only after the whole range, and two
 * test processes at once are unlikely to collide.
 */
import { randomInt } from 'node:crypto';

const SIZE = 254 * 254;
const used = new Set<number>();
let cursor = randomInt(0, SIZE);

function toIp(n: number): string {
  return `127.0.${Math.floor(n / 254) + 1}.${(n % 254) + 1}`;
}

/** allocatePodIp reserves a free loopback address for a pod. */
export function allocatePodIp(): string {
  for (let i = 0; i < SIZE; i++) {
    const n = (cursor + i) % SIZE;
    if (!used.has(n)) {
      used.add(n);
      cursor = (n + 1) % SIZE;
      return toIp(n);
    }
  }
  throw new Error('pod IP pool exhausted (127.0.1.1-127.0.254.254)');
}

/** releasePodIp returns an address to the pool. */
export function releasePodIp(ip: string): void {
  const m = /^127\.0\.(\d+)\.(\d+)$/.exec(ip);
  if (!m) return;
  used.delete((Number(m[1]) - 1) * 254 + (Number(m[2]) - 1));
}
