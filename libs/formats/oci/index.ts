export { ociFormat } from './oci.plugin.js';
