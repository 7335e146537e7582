export { genericFormat } from './generic.plugin.js';
