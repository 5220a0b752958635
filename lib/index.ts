export * from './flow-json';
export * from './whatsapp-flow';
