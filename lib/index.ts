export * from './flow-json';
export * from './flow-validation';
export * from './whatsapp-flow';
export * from './validator';
export * from './whatsapp-flow-directory';
