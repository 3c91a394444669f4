import { z } from 'zod';

/**
 * KServe's Time Series API, written field by field from
 * `python/kserve/kserve/protocol/rest/timeseries/types.py` of kserve/kserve (the
 * API of its Hugging Face and AutoGluon time-series runtimes): the same names,
 * the same optional fields (pydantic `Optional[...] = None`: absent or null), the
 * same enums, and `extra: allow` where KServe allows extra fields. Responses are
 * checked against these schemas in tests; requests are parsed with them.
 */

/** TimeSeries: `Union[List[float], List[List[float]]]`. */
export const timeSeries = z.union([z.array(z.number()), z.array(z.array(z.number()))]);

/** Error: `{code?, message, param?, type}`. */
export const tsError = z.object({
  code: z.string().nullish(),
  message: z.string(),
  param: z.string().nullish(),
  type: z.string(),
});

/** ErrorResponse: `{error: Error}`. */
export const tsErrorResponse = z.object({ error: tsError });

/** Frequency: the long and the short (pandas-style) spellings. */
export const FREQUENCIES = [
  'second',
  'S',
  'minute',
  'T',
  'hour',
  'H',
  'day',
  'D',
  'week',
  'W',
  'month',
  'M',
  'quarter',
  'Q',
  'year',
  'Y',
] as const;
export const frequency = z.enum(FREQUENCIES);
export type Frequency = z.infer<typeof frequency>;

/**
 * FREQUENCY_STEP_MS is the step of each fixed-length frequency (types.py's
 * FREQUENCY_MAP); months, quarters and years vary in length and have none.
 */
export const FREQUENCY_STEP_MS: Partial<Record<Frequency, number>> = {
  second: 1000,
  S: 1000,
  minute: 60_000,
  T: 60_000,
  hour: 3_600_000,
  H: 3_600_000,
  day: 86_400_000,
  D: 86_400_000,
  week: 604_800_000,
  W: 604_800_000,
};

/** frequencyOf returns the short KServe frequency of a step, or undefined when it has none. */
export function frequencyOf(stepMs: number): Frequency | undefined {
  return (Object.entries(FREQUENCY_STEP_MS) as [Frequency, number][]).find(([name, ms]) => ms === stepMs && name.length === 1)?.[0];
}

/** Status of the request or of one output. */
export const status = z.enum(['completed', 'error', 'pending', 'partial']);

/** TimeSeriesType. */
export const timeSeriesType = z.enum(['univariate_time_series', 'multivariate_time_series']);

/** TimeSeriesInput (extra fields allowed). */
export const timeSeriesInput = z.looseObject({
  type: timeSeriesType,
  name: z.string(),
  series: timeSeries,
  frequency,
  start_timestamp: z.string().nullish(),
});

/** ForecastOptions (extra fields allowed). */
export const forecastOptions = z.looseObject({
  horizon: z.number().int(),
  quantiles: z.array(z.number()).nullish(),
});

/** ForecastRequest (extra fields allowed). */
export const forecastRequest = z.looseObject({
  model: z.string(),
  inputs: z.array(timeSeriesInput),
  options: forecastOptions,
  metadata: z.looseObject({}).nullish(),
});
export type TimeSeriesForecastRequest = z.infer<typeof forecastRequest>;

/** TimeSeriesForecast: one forecast series (extra fields allowed). */
export const timeSeriesForecast = z.looseObject({
  type: timeSeriesType,
  name: z.string(),
  mean_forecast: timeSeries,
  frequency,
  start_timestamp: z.string(),
  quantiles: z.record(z.string(), timeSeries).nullish(),
});
export type TimeSeriesForecast = z.infer<typeof timeSeriesForecast>;

/** ForecastOutput: the forecasts of one input (extra fields allowed). */
export const forecastOutput = z.looseObject({
  type: z.string(),
  id: z.string(),
  status,
  content: z.array(timeSeriesForecast),
  error: tsError.nullish(),
});
export type ForecastOutput = z.infer<typeof forecastOutput>;

/** Usage (extra fields allowed). */
export const usage = z.looseObject({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
});

/** ForecastResponse (extra fields allowed). */
export const forecastResponse = z.looseObject({
  id: z.string(),
  created_at: z.number().int(),
  status,
  error: tsError.nullish(),
  model: z.string(),
  outputs: z.array(forecastOutput),
  usage: usage.nullish(),
});
export type TimeSeriesForecastResponse = z.infer<typeof forecastResponse>;

/** The body of GET /v1/timeseries/models: the names of the models served (KServe's `models()`). */
export const modelList = z.array(z.string());
