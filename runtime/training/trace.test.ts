import { describe, expect, it } from 'vitest';
import { forecastTrace } from './trace.ts';

const HOUR = 3_600_000;

/** A frame of `samples` hourly origins with horizon h: sample i's step s targets hour i + s + 1. */
function frame(samples: number, h: number, start = 0) {
  const targetTimes = new Float64Array(samples * h);
  for (let i = 0; i < samples; i++) for (let s = 0; s < h; s++) targetTimes[i * h + s] = start + (i + s + 1) * HOUR;
  return targetTimes;
}

describe('forecastTrace', () => {
  it('tiles the window with origins one horizon apart ending at the last origin, each target once', () => {
    const h = 3;
    const targetTimes = frame(20, h);
    const from = 10;
    const to = 20;
    const actual = Float32Array.from({ length: (to - from) * h }, (_, k) => 100 + k);
    const predicted = Float32Array.from(actual, (v) => v + 1);
    const trace = forecastTrace({ horizon: h, targetTimes, from, to, actual, predicted, calibration: { lower: [-2, -3, -4], upper: [2, 3, 4] }, coverage: 0.9 }, 7);
    // 7 points allow two origins (6 targets): samples 19 and 16, ascending.
    expect(trace.timestamps).toEqual([17, 18, 19, 20, 21, 22].map((hour) => new Date(hour * HOUR).toISOString()));
    const k16 = (16 - from) * h;
    expect(trace.observed.slice(0, 3)).toEqual([actual[k16], actual[k16 + 1], actual[k16 + 2]]);
    expect(trace.forecast[0]).toBe(actual[k16] + 1);
    expect(trace.lower.slice(0, 3)).toEqual([trace.forecast[0] - 2, trace.forecast[1] - 3, trace.forecast[2] - 4]);
    expect(trace.upper[5]).toBe(trace.forecast[5] + 4);
    expect(trace.coverage).toBe(0.9);
  });

  it('stops at the window start and where times stop increasing (the next entity)', () => {
    const h = 2;
    // Two entities of 6 samples each, the second starting over in time.
    const targetTimes = new Float64Array([...frame(6, h), ...frame(6, h)]);
    const actual = new Float32Array(12 * h);
    const trace = forecastTrace({ horizon: h, targetTimes, from: 0, to: 12, actual, predicted: actual, calibration: { lower: [0, 0], upper: [0, 0] }, coverage: 0.8 });
    // Origins 11, 9, 7 belong to the second entity; 5 ends after 7 starts, so the trace stops.
    expect(trace.timestamps).toHaveLength(6);
    const times = trace.timestamps.map((t) => Date.parse(t));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const short = forecastTrace({ horizon: h, targetTimes, from: 9, to: 12, actual: actual.subarray(9 * h), predicted: actual.subarray(9 * h), calibration: { lower: [0, 0], upper: [0, 0] }, coverage: 0.8 });
    expect(short.timestamps).toHaveLength(4);
  });
});
