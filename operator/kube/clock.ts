/**
 * Clock is the source of time and timers every piece of the controller core
 * takes as an option, so that tests drive time (see test/support/fake-clock.ts) instead of
 * sleeping. Times are milliseconds since the Unix epoch, possibly fractional
 * (microsecond resolution on the system clock).
 */
export interface Clock {
  now(): number;
  /** setTimeout schedules `fn` after `ms` and returns a handle for clearTimeout. */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

let offset = Date.now() - performance.now();

/**
 * wallMicros returns wall-clock milliseconds with sub-millisecond digits: the
 * high-resolution monotonic clock anchored to Date.now(), re-anchored when the
 * wall clock is stepped by more than 2 ms (NTP), so that leases can carry
 * genuine MicroTime values.
 */
function wallMicros(): number {
  const precise = offset + performance.now();
  const wall = Date.now();
  if (Math.abs(precise - wall) > 2) {
    offset = wall - performance.now();
    return wall;
  }
  return precise;
}

/**
 * systemClock is the real clock. Its timers keep the process alive like any
 * setTimeout (an operator waiting out an API server outage must not exit
 * because nothing else is pending); every component clears its timers on stop.
 */
export const systemClock: Clock = {
  now: wallMicros,
  setTimeout(fn, ms) {
    return setTimeout(fn, Math.max(0, ms));
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
