export { FileFactsCollector } from './file-facts.js';
export { EnvFilter, FileRules } from './file-rules.js';
export { hostIdentity, inheritedStdio, processStartNs } from './host-identity.js';
export { runTraced, type LocalRunRequest, type LocalRunResult } from './local-run.js';
export { Normalizer, type InheritedFd, type NormalizerOptions } from './normalizer.js';
export { resolveCommand } from './resolve-command.js';
