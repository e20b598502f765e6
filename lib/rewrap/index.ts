export { findActiveKeyChange, KeyChangeInProgressError, queueRewrapJob, type RewrapJobRequest } from "./start";
export { RewrapConflictError, runRewrapJob, type RewrapDeps, type RewrapOptions } from "./run";
export { loadUsageByKey, recentRewrapJobs, summarizeUnmoved, type KeyUsageRow, type RewrapJobView, type UnmovedSummary } from "./summary";
