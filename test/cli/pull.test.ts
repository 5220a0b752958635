/**
 * `whatsapp-flow pull` against the emulator over 127.0.0.1, with the real SDK: what it writes,
 * that the result deploys as is (WhatsAppFlowDirectory), and how it fails.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MANIFEST_FILE, run, slug } from '../../cli/commands/pull';
import { main } from '../../cli/main';
import { FlowJson, WhatsAppFlowDirectory } from '../../lib';
import { captured, Captured, useServiceEmulator } from '../support/io';

const WABA = 'waba-0123456789abcdef0123456789abcdef';
const WABA_ARN = 'arn:aws:social-messaging:eu-west-1:123456789012:waba/0123456789abcdef0123456789abcdef';

/** A valid flow whose screen title tells flows apart. */
function flowDoc(title: string): Record<string, unknown> {
  return {
    version: '7.3',
    screens: [{
      id: 'WELCOME',
      title,
      terminal: true,
      layout: { type: 'SingleColumnLayout', children: [{ type: 'Footer', label: 'Done', 'on-click-action': { name: 'complete', payload: {} } }] },
    }],
  };
}

const service = useServiceEmulator('whatsapp-flow-pull-');
let outCount = 0;

/** A directory name under service.tmp that does not exist yet. */
function freshOut(): string {
  return `out${outCount++}`;
}

async function pull(args: string[]): Promise<Captured> {
  return captured(run, args, service.tmp);
}

function readManifest(out: string): any {
  return JSON.parse(fs.readFileSync(path.join(service.tmp, out, MANIFEST_FILE), 'utf8'));
}

function synth(out: string, wabaId = WABA): { stack: Stack; dir: WhatsAppFlowDirectory; template: Template } {
  const stack = new Stack(new App(), 'Pulled', { env: { account: '123456789012', region: 'us-east-1' } });
  const dir = new WhatsAppFlowDirectory(stack, 'Flows', { wabaId, directory: path.join(service.tmp, out) });
  return { stack, dir, template: Template.fromStack(stack) };
}

describe('whatsapp-flow pull', () => {
  test('writes one Flow JSON file per flow, named after it, and a manifest that adopts every flow', async () => {
    const signup = service.emulator.seedFlow({ wabaId: WABA, flowName: 'Sign up', categories: ['SIGN_UP'], status: 'PUBLISHED', json: JSON.stringify(flowDoc('Hi')) });
    const formatted = `${JSON.stringify(flowDoc('Survey'), undefined, 4)}\n`;
    const survey = service.emulator.seedFlow({ wabaId: WABA, flowName: 'Satisfaction survey', categories: ['SURVEY', 'OTHER'], status: 'DRAFT', json: formatted });
    const out = freshOut();

    const result = await pull(['--waba', WABA, '--out', out]);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(fs.readdirSync(path.join(service.tmp, out)).sort()).toEqual(['satisfaction-survey.json', 'sign-up.json', MANIFEST_FILE]);
    expect(readManifest(out)).toEqual({
      comment: expect.stringContaining(`Pulled from ${WABA}`),
      flows: {
        'satisfaction-survey': {
          file: 'satisfaction-survey.json',
          flowName: 'Satisfaction survey',
          categories: ['SURVEY', 'OTHER'],
          publish: false,
          adoptExisting: true,
          comment: `flow ${survey.flowId}, DRAFT when pulled`,
        },
        'sign-up': {
          file: 'sign-up.json',
          flowName: 'Sign up',
          categories: ['SIGN_UP'],
          publish: true,
          adoptExisting: true,
          comment: `flow ${signup.flowId}, PUBLISHED when pulled`,
        },
      },
    });
    // Formatted content is written as downloaded; minified content is indented for review.
    expect(fs.readFileSync(path.join(service.tmp, out, 'satisfaction-survey.json'), 'utf8')).toBe(formatted);
    expect(fs.readFileSync(path.join(service.tmp, out, 'sign-up.json'), 'utf8')).toBe(`${JSON.stringify(flowDoc('Hi'), undefined, 2)}\n`);
    expect(result.stdout).toContain(`pulled 2 flows of ${WABA} into ${out}/:`);
    expect(result.stdout).toContain(`new WhatsAppFlowDirectory(this, 'Flows', { wabaId: '${WABA}', directory: '${out}' });`);
  });

  test('reads each flow with GetWhatsAppFlow and ListWhatsAppFlowAssets, and never writes to the service', async () => {
    service.emulator.seedFlow({ wabaId: WABA, flowName: 'Sign up', status: 'PUBLISHED', json: flowDoc('Hi') });

    expect((await pull(['--waba', WABA, '--out', freshOut()])).code).toBe(0);
    expect(service.emulator.operations()).toEqual(['ListWhatsAppFlows', 'GetWhatsAppFlow', 'ListWhatsAppFlowAssets', 'Download']);
    expect(service.emulator.calls('ListWhatsAppFlows')[0].input).toMatchObject({ id: WABA, maxResults: 100 });
  });

  test('writes a directory that WhatsAppFlowDirectory deploys as is, with the content hashes of the pulled flows', async () => {
    const seeded = [
      service.emulator.seedFlow({ wabaId: WABA, flowName: 'Sign up', categories: ['SIGN_UP'], status: 'PUBLISHED', json: JSON.stringify(flowDoc('Hi')) }),
      service.emulator.seedFlow({ wabaId: WABA, flowName: 'Book a table', categories: ['APPOINTMENT_BOOKING'], status: 'DRAFT', json: `\ufeff${JSON.stringify(flowDoc('Book'), undefined, 2)}` }),
      service.emulator.seedFlow({ wabaId: WABA, flowName: 'Contact', categories: ['CONTACT_US'], status: 'DRAFT' }),
    ];
    const out = freshOut();
    expect((await pull(['--waba', WABA, '--out', out])).code).toBe(0);

    const { dir, template } = synth(out);

    expect(dir.keys).toEqual(['book-a-table', 'contact', 'sign-up']);
    template.resourceCountIs('Custom::WhatsAppFlow', 3);
    for (const flow of seeded) {
      const stored = service.emulator.flow(flow.flowId)!;
      template.hasResourceProperties('Custom::WhatsAppFlow', {
        WabaId: WABA,
        FlowName: stored.flowName,
        Categories: stored.categories,
        Publish: String(stored.status === 'PUBLISHED'),
        AdoptExisting: 'true',
        ...(stored.json ? { ContentSha256: FlowJson.fromString(stored.json.toString('utf8')).sha256 } : {}),
      });
    }
  });

  test('reads every page of a WABA with more flows than one page holds', async () => {
    for (let i = 1; i <= 103; i++) {
      service.emulator.seedFlow({ wabaId: WABA, flowName: `Flow ${String(i).padStart(3, '0')}`, status: 'DRAFT', json: flowDoc(`Flow ${i}`) });
    }
    const out = freshOut();

    const result = await pull(['--waba', WABA, '--out', out]);

    expect(result.code).toBe(0);
    expect(service.emulator.calls('ListWhatsAppFlows')).toHaveLength(2);
    expect(Object.keys(readManifest(out).flows)).toHaveLength(103);
    expect(readManifest(out).flows['flow-103']).toMatchObject({ file: 'flow-103.json', flowName: 'Flow 103' });
    expect(fs.readdirSync(path.join(service.tmp, out))).toHaveLength(104);
  });

  test('skips deprecated flows and says so', async () => {
    service.emulator.seedFlow({ wabaId: WABA, flowName: 'Sign up', status: 'PUBLISHED', json: flowDoc('Hi') });
    service.emulator.seedFlow({ wabaId: WABA, flowName: 'Old sign up', status: 'DEPRECATED', json: flowDoc('Old') });
    const out = freshOut();

    const result = await pull(['--waba', WABA, '--out', out]);

    expect(result.code).toBe(0);
    expect(Object.keys(readManifest(out).flows)).toEqual(['sign-up']);
    expect(result.stdout).toContain('skipped 1 deprecated flow (deprecated flows cannot change or come back): "Old sign up"');
    expect(service.emulator.calls('GetWhatsAppFlow')).toHaveLength(1);
  });

  test('lists a flow without Flow JSON with no file, and notes that its content is not managed', async () => {
    const empty = service.emulator.seedFlow({ wabaId: WABA, flowName: 'Empty', categories: ['OTHER'], status: 'DRAFT' });
    const out = freshOut();

    const result = await pull(['--waba', WABA, '--out', out]);

    expect(result.code).toBe(0);
    const entry = readManifest(out).flows.empty;
    expect(entry.file).toBeUndefined();
    expect(entry).toMatchObject({ flowName: 'Empty', publish: false, adoptExisting: true });
    expect(entry.comment).toContain(`flow ${empty.flowId}, DRAFT when pulled; has no Flow JSON`);
    expect(result.stdout).toMatch(/ {2}empty {2}"Empty" \(DRAFT, flow \d+\)\n\s+note: has no Flow JSON: its entry has no "file", so its content is not managed/);
    expect(fs.readdirSync(path.join(service.tmp, out))).toEqual([MANIFEST_FILE]);
  });

  test('keeps BLOCKED and THROTTLED flows published, with a note', async () => {
    service.emulator.seedFlow({ wabaId: WABA, flowName: 'Blocked', status: 'BLOCKED', json: flowDoc('B') });
    service.emulator.seedFlow({ wabaId: WABA, flowName: 'Throttled', status: 'THROTTLED', json: flowDoc('T') });
    const out = freshOut();

    const result = await pull(['--waba', WABA, '--out', out]);

    expect(readManifest(out).flows).toMatchObject({ blocked: { publish: true }, throttled: { publish: true } });
    expect(result.stdout).toContain('note: is BLOCKED by Meta: deploys leave it unchanged until Meta support unblocks it');
    expect(result.stdout).toContain('note: is THROTTLED by Meta (sending is capped): it stays published');
  });

  test('marks content the validator rejects with skipValidation, so that the directory still deploys as is', async () => {
    const broken = { version: '7.3', screens: [{ id: 'A', layout: { type: 'SingleColumnLayout', children: [] } }] };
    service.emulator.seedFlow({ wabaId: WABA, flowName: 'Broken', status: 'DRAFT', json: broken });
    const out = freshOut();

    const result = await pull(['--waba', WABA, '--out', out]);

    expect(readManifest(out).flows.broken.skipValidation).toMatch(/^pulled as deployed; the validator finds 2 errors \(MISSING_TERMINAL_SCREEN, INVALID_ROUTING_MODEL\)$/);
    expect(result.stdout).toContain('run `npx whatsapp-flow validate` on the file, fix it and remove skipValidation');
    expect(() => synth(out)).not.toThrow();
  });

  test('gives every flow a safe and unique file name', async () => {
    const names = ['Sign up', 'sign-up', 'Inscripción / Registro', '../../etc/passwd', 'CON', '日本語', 'whatsapp-flows'];
    const seeded = names.map((flowName) => service.emulator.seedFlow({ wabaId: WABA, flowName, status: 'DRAFT', json: flowDoc(flowName) }));
    const out = freshOut();

    expect((await pull(['--waba', WABA, '--out', out])).code).toBe(0);

    const byName = Object.fromEntries(Object.entries(readManifest(out).flows).map(([key, e]: [string, any]) => [e.flowName, key]));
    expect(byName).toEqual({
      'Sign up': 'sign-up',
      'sign-up': 'sign-up-2',
      'Inscripción / Registro': 'inscripcion-registro',
      '../../etc/passwd': 'etc-passwd',
      'CON': 'con-flow',
      '日本語': `flow-${seeded[5].flowId}`,
      'whatsapp-flows': 'whatsapp-flows-2',
    });
    expect(fs.readdirSync(path.join(service.tmp, out))).toHaveLength(names.length + 1);
    expect(() => synth(out)).not.toThrow();
  });

  test('refuses to write into a directory that is not empty, before calling the service', async () => {
    service.emulator.seedFlow({ wabaId: WABA, flowName: 'Sign up', status: 'PUBLISHED', json: flowDoc('Hi') });
    const out = freshOut();
    fs.mkdirSync(path.join(service.tmp, out));
    fs.writeFileSync(path.join(service.tmp, out, 'mine.json'), '{}');

    const result = await pull(['--waba', WABA, '--out', out]);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`whatsapp-flow pull: --out ${path.join(service.tmp, out)} is not empty (1 entry); choose an empty or new directory, or pass --force to replace the files pull writes (others are left alone)\n`);
    expect(fs.readdirSync(path.join(service.tmp, out))).toEqual(['mine.json']);
    expect(service.emulator.operations()).toEqual([]);
  });

  test('writes into a directory that is not empty with --force, leaving other files and naming them', async () => {
    service.emulator.seedFlow({ wabaId: WABA, flowName: 'Sign up', status: 'PUBLISHED', json: flowDoc('New') });
    const out = freshOut();
    fs.mkdirSync(path.join(service.tmp, out));
    fs.writeFileSync(path.join(service.tmp, out, 'sign-up.json'), 'old');
    fs.writeFileSync(path.join(service.tmp, out, 'mine.json'), '{}');

    const result = await pull(['--waba', WABA, '--out', out, '--force']);

    expect(result.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(service.tmp, out, 'sign-up.json'), 'utf8'))).toEqual(flowDoc('New'));
    expect(fs.readFileSync(path.join(service.tmp, out, 'mine.json'), 'utf8')).toBe('{}');
    expect(result.stdout).toContain('left in place, not written by pull: mine.json; WhatsAppFlowDirectory refuses JSON files no entry uses');
    expect(fs.readdirSync(service.tmp).filter((n) => n.includes('.pull-'))).toEqual([]);
  });

  test('takes the WABA as an ARN, and its Region from it', async () => {
    service.emulator.seedFlow({ wabaId: WABA, flowName: 'Sign up', status: 'PUBLISHED', json: flowDoc('Hi') });
    const out = freshOut();

    const result = await pull(['--waba', WABA_ARN, '--out', out]);

    expect(result.code).toBe(0);
    expect(service.emulator.calls('ListWhatsAppFlows')[0].input.id).toBe(WABA_ARN);
    expect(() => synth(out, WABA_ARN)).not.toThrow();
  });

  test('retries a throttled call and a failed download (with a fresh link)', async () => {
    service.emulator.seedFlow({ wabaId: WABA, flowName: 'Sign up', status: 'PUBLISHED', json: flowDoc('Hi') });
    service.emulator.failNext('GetWhatsAppFlow', { errorType: 'ThrottledRequestException' });
    service.emulator.failNext('Download', { errorType: 'Forbidden', httpStatus: 403 });

    const result = await pull(['--waba', WABA, '--out', freshOut()]);

    expect(result.code).toBe(0);
    expect(service.emulator.operations()).toEqual([
      'ListWhatsAppFlows', 'GetWhatsAppFlow', 'GetWhatsAppFlow', 'ListWhatsAppFlowAssets', 'Download', 'ListWhatsAppFlowAssets', 'Download',
    ]);
  });

  test('fails with exit 1 and the service\'s message, writing nothing', async () => {
    service.emulator.failNext('ListWhatsAppFlows', { errorType: 'AccessDeniedException', message: 'User is not authorized to perform: social-messaging:ListWhatsAppFlows' });
    const out = freshOut();

    const result = await pull(['--waba', WABA, '--out', out]);

    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'whatsapp-flow pull: ListWhatsAppFlows failed: AccessDeniedException: User is not authorized to perform: social-messaging:ListWhatsAppFlows\n',
    });
    expect(fs.existsSync(path.join(service.tmp, out))).toBe(false);
  });

  test('fails with exit 1 when a download keeps failing, leaving no partial directory', async () => {
    service.emulator.seedFlow({ wabaId: WABA, flowName: 'A', status: 'DRAFT', json: flowDoc('A') });
    service.emulator.failNext('Download', { errorType: 'Forbidden', httpStatus: 403, count: 2 });
    const out = freshOut();

    const result = await pull(['--waba', WABA, '--out', out]);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^whatsapp-flow pull: downloading the Flow JSON of flow \d+ failed: HTTP 403 from http:\/\/127\.0\.0\.1:\d+\/… \(the link may have expired\)\n$/);
    expect(result.stderr).not.toContain('_download');
    expect(fs.existsSync(path.join(service.tmp, out))).toBe(false);
    expect(fs.readdirSync(service.tmp).filter((n) => n.includes('.pull-'))).toEqual([]);
  });

  test('fails with exit 1 when the WABA is unknown', async () => {
    service.emulator.setKnownWabas(['waba-fedcba9876543210fedcba9876543210']);
    try {
      const result = await pull(['--waba', WABA, '--out', freshOut()]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^whatsapp-flow pull: ListWhatsAppFlows failed: ResourceNotFoundException: .*was not found\n$/);
    } finally {
      service.emulator.setKnownWabas(undefined);
    }
  });

  test('writes an empty manifest for a WABA without flows', async () => {
    const out = freshOut();
    expect((await pull(['--waba', WABA, '--out', out])).code).toBe(0);
    expect(readManifest(out).flows).toEqual({});
    expect(synth(out).dir.flows).toEqual([]);
  });

  test.each<[string, string[], string]>([
    ['no --waba', ['--out', 'x'], '--waba is required: the AWS id (waba-…) or ARN of the linked WhatsApp Business Account'],
    ['no --out', ['--waba', WABA], '--out is required: the directory to write the flows to'],
    ['a Meta numeric WABA id', ['--waba', '102290129340398', '--out', 'x'], '--waba must be the AWS id of a linked WhatsApp Business Account (waba-<32 hex characters>) or its ARN, got "102290129340398" (that looks like Meta\'s numeric WABA id'],
    ['an unknown option', ['--waba', WABA, '--out', 'x', '--dry-run'], 'unknown option "--dry-run"'],
    ['an option given twice', ['--waba', WABA, '--out', 'x', '--out=y'], '--out is given twice'],
    ['an option without its value', ['--waba', WABA, '--out'], '--out needs a value'],
    ['a stray argument', ['--waba', WABA, '--out', 'x', 'flows'], 'unexpected argument "flows"'],
    ['a malformed Region', ['--waba', WABA, '--out', 'x', '--region', 'Europe'], '--region must be an AWS Region such as us-east-1, got "Europe"'],
  ])('fails with exit 1 and one line on %s', async (_what, args, message) => {
    const result = await pull(args);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([expect.stringContaining(`whatsapp-flow pull: ${message}`), '']);
    expect(result.stderr).toContain('(see whatsapp-flow pull --help)');
    expect(service.emulator.operations()).toEqual([]);
  });

  test('fails with exit 1 when --out is a file', async () => {
    fs.writeFileSync(path.join(service.tmp, 'a-file'), 'x');
    const result = await pull(['--waba', WABA, '--out', 'a-file']);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `whatsapp-flow pull: --out ${path.join(service.tmp, 'a-file')} is a file; give a directory\n` });
  });

  describe('without AWS configuration', () => {
    const saved = { ...process.env };
    beforeEach(() => {
      process.env.AWS_CONFIG_FILE = path.join(service.tmp, 'no-config');
      process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(service.tmp, 'no-credentials');
      process.env.AWS_EC2_METADATA_DISABLED = 'true';
    });
    afterEach(() => {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    });

    test('fails with exit 1 when no Region is known, saying where to give one', async () => {
      delete process.env.AWS_REGION;
      delete process.env.AWS_DEFAULT_REGION;
      const result = await pull(['--waba', WABA, '--out', freshOut()]);
      expect(result).toEqual({ code: 1, stdout: '', stderr: 'whatsapp-flow pull: no AWS Region: pass --region, give the WABA as an ARN, or set AWS_REGION\n' });
    });

    test('fails with exit 1 when there are no credentials', async () => {
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      const result = await pull(['--waba', WABA, '--out', freshOut()]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^whatsapp-flow pull: no AWS credentials: .*; set AWS_PROFILE or AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY, or sign in with `aws sso login`\n$/);
      expect(service.emulator.operations()).toEqual([]);
    });
  });

  test('is a subcommand of whatsapp-flow, with help', async () => {
    let stdout = '';
    const io = { stdout: (s: string) => (stdout += s), stderr: () => undefined, cwd: service.tmp };

    expect(await main(['--help'], io)).toBe(0);
    expect(stdout).toMatch(/^ {2}pull +write the flows of a WhatsApp Business Account as a directory for WhatsAppFlowDirectory$/m);
    stdout = '';
    expect(await main(['pull', '--help'], io)).toBe(0);
    expect(stdout).toMatch(/^usage: whatsapp-flow pull --waba <id or ARN> --out <directory> \[--force\] \[--region <region>\]/);
  });

  test('writes the manifest WhatsAppFlowDirectory reads by default', () => {
    expect(MANIFEST_FILE).toBe(WhatsAppFlowDirectory.DEFAULT_MANIFEST_FILE);
  });
});

describe('slug', () => {
  test.each<[string, string]>([
    ['Sign up', 'sign-up'],
    ['  Café -- Crème!  ', 'cafe-creme'],
    ['LPT1', 'lpt1-flow'],
    ['x'.repeat(80), 'x'.repeat(56)],
    ['💬', ''],
  ])('turns %j into %j', (name, expected) => {
    expect(slug(name)).toBe(expected);
  });
});
