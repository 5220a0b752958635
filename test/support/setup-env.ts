// Applied to every jest worker before any test file loads.
// - no CloudFormation schema validation in unit tests (2.5 s per synth; CI runs one real `cdk synth`)
// - no AWS credentials or endpoints from the developer's machine can leak in
process.env.CDK_VALIDATION = 'false';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_ACCESS_KEY_ID = 'AKIDTESTTESTTESTTEST';
process.env.AWS_SECRET_ACCESS_KEY = 'test-secret-key';
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_PROFILE;
process.env.AWS_REGION = 'us-east-1';
