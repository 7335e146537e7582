export * from './point-in-time-views.js';
export * from './view-point.js';
export * from './view-scope.js';
export * from './view-sql.js';
