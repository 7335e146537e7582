export { pypiFormat } from './pypi.plugin.js';
