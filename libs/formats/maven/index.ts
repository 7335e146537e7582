export { mavenFormat } from './maven.plugin.js';
