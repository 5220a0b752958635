export * from './finding';
export * from './flow-json-validator';
