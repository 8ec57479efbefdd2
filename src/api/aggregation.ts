// Background aggregation for the ingest route (the class lives with the aggregator).
export { AggregationRunner } from '../graph/aggregation-runner.js';
