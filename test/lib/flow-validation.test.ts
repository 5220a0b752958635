import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Annotations as CoreAnnotations, App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { FlowCategory, FlowJson, FlowValidation, WhatsAppFlow, WhatsAppFlowProps } from '../../lib';

const WABA = 'waba-0123456789abcdef0123456789abcdef';
const documents = path.resolve(__dirname, '../fixtures/documents');

function stack(): Stack {
  return new Stack(new App(), 'FlowStack', { env: { account: '123456789012', region: 'us-east-1' } });
}

function flow(scope: Stack, id: string, props: Partial<WhatsAppFlowProps>): WhatsAppFlow {
  return new WhatsAppFlow(scope, id, { wabaId: WABA, flowName: id, categories: [FlowCategory.OTHER], ...props });
}

const broken = `{
  "version": "7.3",
  "screens": [
    { "id": "FIRST", "layout": { "type": "SingleColumnLayout", "children": [
      { "type": "TextInput", "label": "Name" },
      { "type": "Footer", "label": "Next", "on-click-action": { "name": "navigate", "next": { "type": "screen", "name": "NOWHERE" }, "payload": {} } }
    ] } }
  ]
}`;

describe('Flow JSON validation at synth', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flows-'));
  const file = path.join(dir, 'broken.json');
  fs.writeFileSync(file, broken);

  test('fails synth listing every error with the file, line, JSON path and fix', () => {
    const s = stack();
    flow(s, 'Broken', { flowJson: FlowJson.fromFile(file) });

    let message = '';
    try {
      Template.fromStack(s);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/FlowStack\/Broken/);
    expect(message).toMatch(/flowJson has \d+ errors/);
    expect(message).toMatch(/broken\.json:5:\d+ error \w+ screens\[0\]\.layout\.children\[0\]/);
    expect(message).toMatch(/NOWHERE/);
    expect(message).toMatch(/MISSING_TERMINAL_SCREEN/);
    expect(message).toMatch(/FlowValidation\.skip/);
  });

  test('deploys a document Meta accepts without any finding', () => {
    const s = stack();
    flow(s, 'Fine', { flowJson: FlowJson.fromFile(path.join(documents, 'static-v7.3-offer.json')), publish: true });

    expect(() => Template.fromStack(s)).not.toThrow();
    expect(Annotations.fromStack(s).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('warns about a version AWS cannot publish on a draft, and fails it when the flow is to be published', () => {
    const v30 = FlowJson.fromFile(path.join(documents, 'static-v3.0-appointment.json'));
    const draft = stack();
    flow(draft, 'Draft', { flowJson: v30 });
    expect(() => Template.fromStack(draft)).not.toThrow();
    Annotations.fromStack(draft).hasWarning('/FlowStack/Draft', Match.stringLikeRegexp('AWS_UNSUPPORTED_VERSION'));

    const published = stack();
    flow(published, 'Live', { flowJson: v30, publish: true });
    expect(() => Template.fromStack(published)).toThrow(/checked for publishing[\s\S]*AWS_UNSUPPORTED_VERSION/);
  });

  test('warns with an id the user can acknowledge', () => {
    const s = stack();
    const f = flow(s, 'Draft', { flowJson: FlowJson.fromFile(path.join(documents, 'static-v3.0-appointment.json')) });
    CoreAnnotations.of(f).acknowledgeWarning('whatsapp-flow-cdk:AWS_UNSUPPORTED_VERSION', 'kept as a draft until it is migrated to 7.3');

    expect(Annotations.fromStack(s).findWarning('/FlowStack/Draft', Match.stringLikeRegexp('AWS_UNSUPPORTED_VERSION'))).toEqual([]);
  });

  test('fails an endpoint flow that is to be published, and only warns for a draft', () => {
    const endpoint = FlowJson.fromFile(path.join(documents, 'endpoint-v7.3-quote.json'));
    const draft = stack();
    flow(draft, 'Draft', { flowJson: endpoint });
    expect(() => Template.fromStack(draft)).not.toThrow();

    const published = stack();
    flow(published, 'Live', { flowJson: endpoint, publish: true });
    expect(() => Template.fromStack(published)).toThrow(/AWS_ENDPOINT_FLOW/);
  });

  test('fails synth of a 7.3 flow on a misspelt component type, naming the type meant, as validate does', () => {
    const typo = FlowJson.fromObject({ version: '7.3', screens: [{ id: 'MAIN', terminal: true, layout: { type: 'SingleColumnLayout', children: [
      { type: 'TextHeadng', text: 'Welcome' },
      { 'type': 'Footer', 'label': 'Done', 'on-click-action': { name: 'complete', payload: {} } },
    ] } }] });
    const s = stack();
    flow(s, 'Typo', { flowJson: typo, publish: true });
    expect(() => Template.fromStack(s)).toThrow(/flowJson has 1 error \(checked for publishing\):\n.*error UNKNOWN_COMPONENT .*did you mean "TextHeading"\? .*— write "type": "TextHeading"/);
  });

  test('deploys a flow with a reference shape the rules do not describe, with a warning only', () => {
    const s = stack();
    flow(s, 'Packages', { flowJson: FlowJson.fromFile(path.join(documents, 'static-v7.2-packages.json')), publish: true });

    expect(() => Template.fromStack(s)).not.toThrow();
    Annotations.fromStack(s).hasWarning('/FlowStack/Packages', Match.stringLikeRegexp('whatsapp-flow-cdk:UNKNOWN_DYNAMIC_REFERENCE'));
  });

  test('can be skipped for one flow with a stated reason, which synth reports', () => {
    const s = stack();
    flow(s, 'Broken', { flowJson: FlowJson.fromFile(file), validation: FlowValidation.skip('exercising Meta-side validation') });

    expect(() => Template.fromStack(s)).not.toThrow();
    Annotations.fromStack(s).hasInfo('/FlowStack/Broken', Match.stringLikeRegexp('skipped: exercising Meta-side validation'));
  });

  test('fails a skip without a reason', () => {
    expect(() => FlowValidation.skip('  ')).toThrow(/a reason is required/);
  });
});
