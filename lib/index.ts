export * from './flow-json';
export * from './flow-validation';
export * from './whatsapp-flow';
export * from './validator';
export * from './whatsapp-flow-directory';
export { WhatsAppFlowProviderConfig } from './whatsapp-flow-provider-config';
export type { WhatsAppFlowProviderConfigProps } from './whatsapp-flow-provider-config';
