export { queueRewrapJob } from "./start";
export { RewrapConflictError, runRewrapJob, type RewrapDeps, type RewrapOptions } from "./run";
export { summarizeUnmoved, type UnmovedSummary } from "./summary";
