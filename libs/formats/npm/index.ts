export { npmFormat } from './npm.plugin.js';
