export { ociFormat } from './oci.plugin.js';
export { OciGarbageCollector, repositoriesWithOciPolicy, type OciGcDecision, type OciGcReport } from './oci-gc.js';
export { OciQueries } from './oci-queries.js';
