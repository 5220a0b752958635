import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as util from 'util';
import { App, CfnOutput, CfnParameter, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { FlowCategory, FlowJson, WhatsAppFlow, WhatsAppFlowDirectory, WhatsAppFlowProps, WhatsAppFlowProviderConfig } from '../../lib';

const INLINE_CONTENT_MAX_BYTES = WhatsAppFlow.INLINE_CONTENT_MAX_BYTES;
import { FLOW_ACTIONS, MAX_OBJECT_GRANTS } from '../../lib/provider';

const WABA = 'waba-0123456789abcdef0123456789abcdef';
const WABA_ARN = 'arn:aws:social-messaging:us-east-1:123456789012:waba/fedcba9876543210fedcba9876543210';
const doc = {
  version: '7.3',
  screens: [{ id: 'A', terminal: true, layout: { type: 'SingleColumnLayout', children: [{ type: 'Footer', label: 'Done', 'on-click-action': { name: 'complete', payload: {} } }] } }],
};

function stack(): Stack {
  return new Stack(new App(), 'FlowStack', { env: { account: '123456789012', region: 'us-east-1' } });
}

function flow(scope: Stack, id: string, props: Partial<WhatsAppFlowProps> = {}): WhatsAppFlow {
  return new WhatsAppFlow(scope, id, { wabaId: WABA, flowName: id.toLowerCase(), categories: [FlowCategory.SIGN_UP], flowJson: FlowJson.fromObject(doc), ...props });
}

describe('template', () => {
  test('declares a Custom::WhatsAppFlow whose properties stay readable in cdk diff', () => {
    const s = stack();
    flow(s, 'Signup', { publish: true, categories: [FlowCategory.SIGN_UP, FlowCategory.LEAD_GENERATION] });
    const t = Template.fromStack(s);

    t.hasResourceProperties('Custom::WhatsAppFlow', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('WhatsAppFlowProvider'), 'Arn'] },
      ServiceTimeout: '420',
      WabaId: WABA,
      FlowName: 'signup',
      Categories: ['SIGN_UP', 'LEAD_GENERATION'],
      Publish: 'true',
      RemovalPolicy: 'destroy',
      ContentSha256: Match.stringLikeRegexp('^[0-9a-f]{64}$'),
      FlowJson: JSON.stringify(doc, undefined, 2),
    });
  });

  test('uses one provider function for 50 flows', () => {
    const s = stack();
    for (let i = 0; i < 50; i++) flow(s, `Flow${i}`);
    const t = Template.fromStack(s);

    t.resourceCountIs('Custom::WhatsAppFlow', 50);
    t.resourceCountIs('AWS::Lambda::Function', 1);
    t.resourceCountIs('AWS::IAM::Role', 1);
  });

  test('runs the provider on the newest Node.js LTS on arm64, with a log group that expires and no Lambda retries', () => {
    const s = stack();
    flow(s, 'Signup');
    const t = Template.fromStack(s);

    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 300,
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('Logs') } },
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 180 });
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
  });

  test('drops an event Lambda could not deliver within 2 minutes, so none is acted on after CloudFormation stopped waiting', () => {
    const s = stack();
    flow(s, 'Signup');

    Template.fromStack(s).hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumEventAgeInSeconds: 120 });
  });

  test('tells the provider which resource declares each flow, in an environment variable that changes with the names', () => {
    const names = (build: (s: Stack) => void) => {
      const s = stack();
      build(s);
      const fn = Object.values<any>(Template.fromStack(s).findResources('AWS::Lambda::Function'))[0];
      return fn.Properties.Environment.Variables.WHATSAPP_FLOW_HOLDERS as string;
    };
    const one = names((s) => flow(s, 'Signup'));
    const same = names((s) => flow(s, 'Signup'));
    const renamed = names((s) => flow(s, 'Signup', { flowName: 'signup-v2' }));
    const moved = names((s) => flow(s, 'Moved', { flowName: 'signup' }));

    expect(one).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect(same).toBe(one);
    expect(renamed).not.toBe(one);
    expect(moved).not.toBe(one);
  });

  test('keeps the provider\'s environment under Lambda\'s 4 KB for 490 flows', () => {
    const s = stack();
    for (let i = 0; i < 490; i++) flow(s, `Flow${i}`);
    const fn = Object.values<any>(Template.fromStack(s).findResources('AWS::Lambda::Function'))[0];
    const variables = fn.Properties.Environment.Variables as Record<string, string>;

    expect(Object.entries(variables).reduce((n, [k, v]) => n + k.length + v.length, 0)).toBeLessThan(4096);
  });

  test('keeps content over the inline limit out of the template and in an S3 asset', () => {
    const s = stack();
    const big = FlowJson.fromObject({ ...doc, screens: [{ ...doc.screens[0], title: 'x'.repeat(INLINE_CONTENT_MAX_BYTES) }] });
    flow(s, 'Big', { flowJson: big });
    const t = Template.fromStack(s);

    t.hasResourceProperties('Custom::WhatsAppFlow', {
      FlowJson: Match.absent(),
      ContentS3Bucket: Match.anyValue(),
      ContentS3Key: Match.stringLikeRegexp('\\.json$'),
      ContentSha256: big.sha256,
    });
  });

  test('measures the inline limit as the template holds the text, escapes included', () => {
    // Under the limit in bytes, over it once quotes and newlines are escaped for the template.
    const text = JSON.stringify({ ...doc, screens: [{ ...doc.screens[0], title: '"'.repeat(1500) }] });
    const content = FlowJson.fromString(text);
    expect(content.sizeBytes).toBeLessThanOrEqual(INLINE_CONTENT_MAX_BYTES);
    const s = stack();
    flow(s, 'Quoted', { flowJson: content });

    Template.fromStack(s).hasResourceProperties('Custom::WhatsAppFlow', { FlowJson: Match.absent(), ContentS3Key: Match.anyValue() });
    expect(content.definition.screens[0].title).toHaveLength(1500);
  });

  test('gives the same content hash to a reformatted document with reordered keys', () => {
    const a = FlowJson.fromString('{"version":"7.3","screens":[{"id":"A","terminal":true,"layout":{"type":"SingleColumnLayout","children":[]}}]}');
    const b = FlowJson.fromString('{\n  "screens": [ { "layout": { "children": [], "type": "SingleColumnLayout" }, "terminal": true, "id": "A" } ],\n  "version": "7.3"\n}\n');
    const c = FlowJson.fromObject({ ...doc, version: '7.2' });

    expect(a.sha256).toBe(b.sha256);
    expect(c.sha256).not.toBe(a.sha256);
  });

  test('never gives the same content hash to texts that upload differently: big numbers, repeated keys, fromObject values', () => {
    const big = (n: string) => FlowJson.fromString(`{"version":"7.3","screens":[{"id":"A","data":{"n":{"type":"number","__example__":${n}}}}]}`);
    expect(big('12345678901234567890').sha256).not.toBe(big('12345678901234567891').sha256);

    const dated = (d: Date) => FlowJson.fromObject({ version: '7.3', screens: [{ id: 'A', data: { when: { type: 'string', __example__: d } } }] });
    const first = dated(new Date('2026-01-01T00:00:00Z'));
    const second = dated(new Date('2026-06-01T00:00:00Z'));
    expect(first.content).not.toBe(second.content);
    expect(first.sha256).not.toBe(second.sha256);

    const dup = (a: string) => FlowJson.fromString(`{"version":"7.3","screens":[{"id":"A","title":"x","title":"${a}"}]}`);
    expect(dup('y').sha256).not.toBe(dup('z').sha256);
  });

  test('gives the same hash to escapes of the same characters', () => {
    const a = FlowJson.fromString('{"version":"7.3","screens":[{"id":"A","title":"\\u00e9t\\u00e9"}]}');
    const b = FlowJson.fromString('{"version":"7.3","screens":[{"id":"A","title":"été"}]}');
    expect(a.sha256).toBe(b.sha256);
  });

  test('keeps a flow taken over with adoptExisting in place on removal unless removalPolicy says DESTROY', () => {
    const s = stack();
    flow(s, 'Adopted', { adoptExisting: true });
    flow(s, 'Destroyed', { adoptExisting: true, removalPolicy: RemovalPolicy.DESTROY });
    flow(s, 'Created');
    const t = Template.fromStack(s);

    t.hasResourceProperties('Custom::WhatsAppFlow', { FlowName: 'adopted', AdoptExisting: 'true', RemovalPolicy: 'destroy-keep-adopted' });
    t.hasResourceProperties('Custom::WhatsAppFlow', { FlowName: 'destroyed', AdoptExisting: 'true', RemovalPolicy: 'destroy' });
    t.hasResourceProperties('Custom::WhatsAppFlow', { FlowName: 'created', RemovalPolicy: 'destroy' });
    // CloudFormation still sends Delete: the provider decides by what the resource created.
    t.hasResource('Custom::WhatsAppFlow', { Properties: Match.objectLike({ FlowName: 'adopted' }), DeletionPolicy: 'Delete' });
  });

  test('sets DeletionPolicy and UpdateReplacePolicy Retain for RemovalPolicy.RETAIN', () => {
    const s = stack();
    flow(s, 'Kept', { removalPolicy: RemovalPolicy.RETAIN });
    const t = Template.fromStack(s);

    t.hasResource('Custom::WhatsAppFlow', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: Match.objectLike({ RemovalPolicy: 'retain' }) });
  });

  test('exposes the attributes for other resources and outputs', () => {
    const s = stack();
    const f = flow(s, 'Signup');
    new CfnOutput(s, 'Id', { value: f.flowId });
    new CfnOutput(s, 'Status', { value: f.flowStatus });
    new CfnOutput(s, 'Errors', { value: f.validationErrors });
    new CfnOutput(s, 'Divergence', { value: f.divergence });
    const t = Template.fromStack(s);
    const logicalId = s.getLogicalId(f.node.defaultChild as any);

    t.hasOutput('Id', { Value: { 'Fn::GetAtt': [logicalId, 'FlowId'] } });
    t.hasOutput('Status', { Value: { 'Fn::GetAtt': [logicalId, 'FlowStatus'] } });
    t.hasOutput('Errors', { Value: { 'Fn::GetAtt': [logicalId, 'ValidationErrors'] } });
    t.hasOutput('Divergence', { Value: { 'Fn::GetAtt': [logicalId, 'Divergence'] } });
  });

  test('records the content\'s file, relative to where cdk runs, in the cloud assembly\'s metadata and not in the template', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'source-')), 'signup.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    const s = stack();
    const f = flow(s, 'Signup', { flowJson: FlowJson.fromFile(file) });
    const source = (c: WhatsAppFlow) => c.node.findChild('Resource').node.defaultChild!.node.metadata.filter((m) => m.type === 'whatsapp-flow-cdk:source').map((m) => m.data);

    expect(source(f)).toEqual([path.relative(process.cwd(), file).split(path.sep).join('/')]);
    expect(JSON.stringify(Template.fromStack(s).toJSON())).not.toContain('signup.json');
    expect(source(flow(s, 'Inline'))).toEqual([]);
  });

  test('passes the source flow of a clone as CloneFlowId', () => {
    const s = stack();
    const source = WhatsAppFlow.fromFlowAttributes(s, 'Source', { wabaId: WABA, flowId: '1234567890' });
    flow(s, 'Copy', { cloneFrom: source, flowJson: undefined });
    const local = flow(s, 'Local');
    flow(s, 'Copy2', { cloneFrom: local, flowJson: undefined });
    const t = Template.fromStack(s);

    t.hasResourceProperties('Custom::WhatsAppFlow', { FlowName: 'copy', CloneFlowId: '1234567890' });
    t.hasResourceProperties('Custom::WhatsAppFlow', { FlowName: 'copy2', CloneFlowId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Local'), 'FlowId'] } });
  });
});

describe('IAM', () => {
  function policies(t: Template): any[] {
    return Object.values(t.findResources('AWS::IAM::Policy')).filter((p: any) => JSON.stringify(p).includes('social-messaging'));
  }

  test('grants only the flow actions it uses, on the ARNs of the WABAs of the stack', () => {
    const s = stack();
    flow(s, 'A');
    flow(s, 'B', { wabaId: WABA_ARN });
    const t = Template.fromStack(s);
    const ps = policies(t);

    expect(ps).toHaveLength(2);
    const statements = ps.flatMap((p) => p.Properties.PolicyDocument.Statement);
    for (const st of statements) {
      expect(st.Action).toEqual(FLOW_ACTIONS);
      expect(JSON.stringify(st.Resource)).not.toContain('"*"');
    }
    expect(JSON.stringify(statements)).toContain(':social-messaging:us-east-1:123456789012:waba/0123456789abcdef0123456789abcdef');
    expect(JSON.stringify(statements)).toContain(WABA_ARN);
    expect(JSON.stringify(t.toJSON())).not.toContain('social-messaging:*');
  });

  test('adds GetWhatsAppFlowPreview only for a WABA with a flow that asks for previews', () => {
    const s = stack();
    flow(s, 'A', { preview: true });
    flow(s, 'B', { wabaId: WABA_ARN });
    const statements = policies(Template.fromStack(s)).flatMap((p) => p.Properties.PolicyDocument.Statement);

    const preview = statements.filter((st) => JSON.stringify(st.Action).includes('GetWhatsAppFlowPreview'));
    expect(preview).toHaveLength(1);
    expect(JSON.stringify(preview[0].Resource)).toContain('waba/0123456789abcdef');
  });

  test('keeps each WABA grant in its own policy, named by the WABA, that every flow of it depends on', () => {
    // When a flow moves to another WABA, the old WABA's policy is a removed resource that
    // CloudFormation deletes only after the old flow (which depended on it): the cleanup Delete
    // still has its permission.
    const s1 = stack();
    flow(s1, 'A');
    const before = Template.fromStack(s1);
    const s2 = stack();
    flow(s2, 'A', { wabaId: WABA_ARN });
    const after = Template.fromStack(s2);

    const idsBefore = Object.keys(before.findResources('AWS::IAM::Policy')).filter((k) => k.includes('Waba'));
    const idsAfter = Object.keys(after.findResources('AWS::IAM::Policy')).filter((k) => k.includes('Waba'));
    expect(idsBefore).toHaveLength(1);
    expect(idsAfter).toHaveLength(1);
    expect(idsAfter[0]).not.toBe(idsBefore[0]);
    before.hasResource('Custom::WhatsAppFlow', { DependsOn: Match.arrayWith([idsBefore[0]]) });
    after.hasResource('Custom::WhatsAppFlow', { DependsOn: Match.arrayWith([idsAfter[0]]) });
  });

  test('grants read access to exactly the S3 objects of the flows, in a policy named by that set', () => {
    const big = (title: string) => FlowJson.fromObject({ ...doc, screens: [{ ...doc.screens[0], title: title.repeat(INLINE_CONTENT_MAX_BYTES) }] });
    const s1 = stack();
    flow(s1, 'Big', { flowJson: big('a') });
    const t1 = Template.fromStack(s1);
    const s2 = stack();
    flow(s2, 'Big', { flowJson: big('b') });
    const t2 = Template.fromStack(s2);

    const managed1 = t1.findResources('AWS::IAM::ManagedPolicy');
    const managed2 = t2.findResources('AWS::IAM::ManagedPolicy');
    const [id1] = Object.keys(managed1);
    const [id2] = Object.keys(managed2);
    expect(id1).not.toBe(id2);
    const statement = (managed1[id1] as any).Properties.PolicyDocument.Statement[0];
    expect(statement.Action).toBe('s3:GetObject');
    expect(statement.Resource).toHaveLength(1);
    expect(JSON.stringify(statement.Resource)).toMatch(/\/[0-9a-f]{64}\.json/);
    t1.hasResource('Custom::WhatsAppFlow', { DependsOn: Match.arrayWith([id1]) });
    // Inline flows need no S3 grant at all.
    const s3 = stack();
    flow(s3, 'Small');
    Template.fromStack(s3).resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('warns and widens to the asset bucket\'s JSON objects above the object limit of one policy', () => {
    const s = stack();
    for (let i = 0; i <= MAX_OBJECT_GRANTS; i++) {
      flow(s, `Big${i}`, { flowJson: FlowJson.fromObject({ ...doc, screens: [{ ...doc.screens[0], title: `${i}`.repeat(INLINE_CONTENT_MAX_BYTES) }] }) });
    }
    const t = Template.fromStack(s);
    const managed = Object.values(t.findResources('AWS::IAM::ManagedPolicy'))[0] as any;

    expect(JSON.stringify(managed.Properties.PolicyDocument.Statement[0].Resource)).toContain('/*.json');
    const warnings = s.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data)));
    expect(warnings.join('\n')).toMatch(/ContentGrantWidened/);
  });

  test('grants the WABAs of the account and Region when wabaId is a token', () => {
    const s = stack();
    const param = new CfnParameter(s, 'Waba');
    flow(s, 'A', { wabaId: param.valueAsString });
    const statements = policies(Template.fromStack(s)).flatMap((p) => p.Properties.PolicyDocument.Statement);

    expect(JSON.stringify(statements)).toContain(':waba/*');
  });
});

describe('synth-time errors name the construct, the value and the fix', () => {
  test.each<[string, Partial<WhatsAppFlowProps>, RegExp]>([
    ['a Meta numeric WABA id', { wabaId: '102290129340398' }, /FlowStack\/F: wabaId must be the AWS id.*got "102290129340398".*Meta's numeric WABA id/],
    ['a malformed WABA id', { wabaId: 'waba_123' }, /wabaId must be the AWS id/],
    ['an empty name', { flowName: '' }, /flowName must be 1-200 characters, got 0/],
    ['a name over 200 characters', { flowName: 'n'.repeat(214) }, /flowName must be 1-200 characters, got 214 \("n+…\); shorten it/],
    ['no categories', { categories: [] }, /categories must list 1 to 9 categories, got 0/],
    ['ten categories', { categories: Array.from({ length: 10 }, (_, i) => FlowCategory.of(`C${i}`)) }, /1 to 9 categories, got 10/],
    ['a repeated category', { categories: [FlowCategory.SURVEY, FlowCategory.SURVEY] }, /lists SURVEY twice/],
    ['a category given as a string', { categories: ['SURVEY' as any] }, /categories\[0\] must be a FlowCategory/],
    ['publish without content', { flowJson: undefined, publish: true }, /publish is true but the flow has no content/],
    ['a snapshot removal policy', { removalPolicy: RemovalPolicy.SNAPSHOT }, /removalPolicy "snapshot" is not supported/],
  ])('fails on %s', (_what, props, message) => {
    expect(() => flow(stack(), 'F', props)).toThrow(message);
  });

  test('fails on two flows of one WABA with the same name, in one stack or across the stacks of an app, naming both', () => {
    const s = stack();
    flow(s, 'A', { flowName: 'signup' });
    expect(() => flow(s, 'B', { flowName: 'signup' })).toThrow(/FlowStack\/B: flowName "signup" is already declared for WABA "waba-[0-9a-f]+" by FlowStack\/A; .*rename one of them/);

    const app = new App();
    const one = new Stack(app, 'One');
    const two = new Stack(app, 'Two');
    flow(one, 'A', { flowName: 'shared' });
    expect(() => flow(two, 'A', { flowName: 'shared', wabaId: `arn:aws:social-messaging:us-east-1:123456789012:waba/${WABA.slice(5)}` })).toThrow(/Two\/A: .* by One\/A/);
    expect(() => flow(two, 'Other', { flowName: 'shared', wabaId: 'waba-ffff0000000000000000000000000000' })).not.toThrow();
  });

  test('warns about two names of one WABA that differ only in case', () => {
    const s = stack();
    flow(s, 'A', { flowName: 'Signup' });
    flow(s, 'B', { flowName: 'signup' });

    Annotations.fromStack(s).hasWarning('/FlowStack/B', Match.stringLikeRegexp('differs only in case from "Signup"'));
  });

  test('fails on a clone source in another WABA', () => {
    const s = stack();
    const source = WhatsAppFlow.fromFlowAttributes(s, 'Source', { wabaId: WABA_ARN, flowId: '1' });
    expect(() => flow(s, 'F', { cloneFrom: source })).toThrow(/clones only within one WABA/);
  });

  test('fails on an imported flow id that is not numeric', () => {
    expect(() => WhatsAppFlow.fromFlowAttributes(stack(), 'X', { wabaId: WABA, flowId: 'signup' })).toThrow(/flowId must be Meta's numeric flow id, got "signup"/);
  });

  test('lets tokens through unchecked', () => {
    const s = stack();
    const param = new CfnParameter(s, 'Name');
    expect(() => flow(s, 'F', { flowName: param.valueAsString, wabaId: new CfnParameter(s, 'W').valueAsString })).not.toThrow();
  });
});

describe('a JavaScript caller who leaves values out', () => {
  const s = () => stack();
  test.each<[string, () => unknown, RegExp]>([
    ['no props', () => new WhatsAppFlow(s(), 'F', undefined as any), /FlowStack\/F: props are required: wabaId, flowName and categories/],
    ['no wabaId', () => new WhatsAppFlow(s(), 'F', {} as any), /wabaId is required and must be a string, got nothing; use the AWS id/],
    ['no flowName', () => new WhatsAppFlow(s(), 'F', { wabaId: WABA } as any), /flowName is required and must be a string, got nothing/],
    ['no categories', () => new WhatsAppFlow(s(), 'F', { wabaId: WABA, flowName: 'x' } as any), /categories must list 1 to 9 categories, got nothing/],
    ['a missing category', () => new WhatsAppFlow(s(), 'F', { wabaId: WABA, flowName: 'x', categories: [undefined] } as any), /categories\[0\] must be a FlowCategory, got nothing/],
    ['no directory', () => new WhatsAppFlowDirectory(s(), 'D', { wabaId: WABA } as any), /directory is required and must be a path, got nothing/],
    ['no file path', () => FlowJson.fromFile(undefined as any), /FlowJson.fromFile: expected the path of a Flow JSON file, got nothing/],
    ['no text', () => FlowJson.fromString(undefined as any), /FlowJson.fromString\(\): expected JSON text, got nothing/],
    ['no object', () => FlowJson.fromObject(undefined), /FlowJson.fromObject: expected a Flow JSON object, got nothing/],
    ['no category name', () => FlowCategory.of(undefined as any), /FlowCategory.of: category must be an upper-case name like SIGN_UP, got nothing/],
    ['no flow id', () => WhatsAppFlow.fromFlowAttributes(s(), 'X', { wabaId: WABA } as any), /flowId must be Meta's numeric flow id, got nothing/],
    ['a concurrency that is not a number', () => new WhatsAppFlowProviderConfig(s(), 'C', { reservedConcurrentExecutions: NaN }), /reservedConcurrentExecutions must be a whole number of at least 1, got NaN/],
  ])('is told what is missing, never "undefined": %s', (_what, make, message) => {
    expect(make).toThrow(message);
    expect(make).not.toThrow(/undefined/);
  });
});

describe('FlowJson', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowjson-'));
  const file = (name: string, text: string | Buffer) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };

  test('reads a file and tolerates a UTF-8 BOM', () => {
    const plain = FlowJson.fromFile(file('plain.json', JSON.stringify(doc)));
    const bom = FlowJson.fromFile(file('bom.json', '\ufeff' + JSON.stringify(doc)));

    expect(bom.sha256).toBe(plain.sha256);
    expect(bom.content.charCodeAt(0)).not.toBe(0xfeff);
  });

  test.each<[string, string, RegExp]>([
    ['a truncated file', '{"version": "7.3", "screens": [', /truncated.json: not valid JSON at line 1, column \d+.*fix the JSON syntax/],
    ['a trailing comma', '{"version": "7.3",\n "screens": [],\n}', /trailing.json: not valid JSON at line 3/],
    ['an array', '[1,2]', /must be a JSON object, got an array/],
    ['no version', '{"screens": [{}]}', /has no "version"; add "version": "7.3"/],
    ['a numeric version', '{"version": 7.3, "screens": [{}]}', /"version" must be a string like "7.3", got 7.3/],
    ['no screens', '{"version": "7.3", "screens": []}', /"screens" must be a non-empty array, got \[\]/],
  ])('fails on %s, naming the file', (name, text, message) => {
    const fileName = `${name.split(' ')[1]}.json`;
    expect(() => FlowJson.fromFile(file(fileName, text))).toThrow(message);
  });

  test('fails on a missing file with the resolved path', () => {
    expect(() => FlowJson.fromFile('does/not/exist.json')).toThrow(/does\/not\/exist.json: Flow JSON file not found \(resolved to \//);
  });

  test('an error outside a construct prints as Node shows an uncaught error without an undefined field', () => {
    let error: unknown;
    try {
      FlowJson.fromFile('does/not/exist.json');
    } catch (e) {
      error = e;
    }
    expect(util.inspect(error)).not.toMatch(/undefined/);
    expect(error).not.toHaveProperty('constructPath');
  });

  test('an error of a construct carries its path', () => {
    let error: unknown;
    try {
      flow(stack(), 'F', { flowName: '' });
    } catch (e) {
      error = e;
    }
    expect(error).toHaveProperty('constructPath', 'FlowStack/F');
    expect(util.inspect(error)).not.toMatch(/undefined/);
  });

  test('fails on a document over 10 MB', () => {
    const huge = JSON.stringify({ version: '7.3', screens: [{ id: 'A', data: { x: { type: 'string', __example__: 'x'.repeat(10_485_760) } } }] });
    expect(() => FlowJson.fromString(huge)).toThrow(/over the service's limit of 10485760 bytes/);
  });

  test('hashes a deeply nested document without overflowing the stack', () => {
    const nested = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const text = `{"version":"7.3","screens":[{"id":"A","deep":${nested}}]}`;
    expect(FlowJson.fromString(text).sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
