// A small CDK app of pipesim's own (JavaScript, so it needs no compiler): a table whose stream
// feeds a pipe with a filter and an input template, calling an API destination through a
// connection whose API key is a Secrets Manager secret. scripts/cdk-synth.sh synthesizes it with
// pinned versions of aws-cdk-lib, aws-cdk and constructs; internal/sim's TestCDKApp runs what
// it writes. Names are left to CloudFormation where CDK apps usually leave them.
const cdk = require('aws-cdk-lib');
const { aws_dynamodb: ddb, aws_events: events, aws_secretsmanager: sm, aws_sqs: sqs,
  aws_logs: logs, aws_iam: iam, aws_pipes: pipes } = cdk;

class OrdersStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const endpoint = new cdk.CfnParameter(this, 'ApiEndpoint', { type: 'String', description: 'Base URL of the orders API.' });
    const apiKey = new cdk.CfnParameter(this, 'ApiKey', { type: 'String', noEcho: true, description: 'The orders API key.' });

    const table = new ddb.Table(this, 'Orders', {
      partitionKey: { name: 'orderId', type: ddb.AttributeType.STRING },
      sortKey: { name: 'placedAt', type: ddb.AttributeType.NUMBER },
      stream: ddb.StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: 'expiresAt',
      billingMode: ddb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });
    table.addGlobalSecondaryIndex({ indexName: 'byCustomer', partitionKey: { name: 'customerId', type: ddb.AttributeType.STRING } });

    const secret = new sm.Secret(this, 'ApiKeySecret', { secretStringValue: cdk.SecretValue.cfnParameter(apiKey) });
    const connection = new events.Connection(this, 'Connection', {
      description: 'Orders API key',
      authorization: events.Authorization.apiKey('x-api-key', secret.secretValue),
    });
    const destination = new events.ApiDestination(this, 'Destination', {
      connection,
      endpoint: `${endpoint.valueAsString}/orders/*`,
      httpMethod: events.HttpMethod.PUT,
      rateLimitPerSecond: 10,
    });

    const dlq = new sqs.Queue(this, 'DeadLetters', { retentionPeriod: cdk.Duration.days(14) });
    const logGroup = new logs.LogGroup(this, 'PipeLogs', { retention: logs.RetentionDays.ONE_WEEK, removalPolicy: cdk.RemovalPolicy.DESTROY });
    const role = new iam.Role(this, 'PipeRole', { assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com') });
    table.grantStreamRead(role);
    dlq.grantSendMessages(role);
    role.addToPolicy(new iam.PolicyStatement({ actions: ['events:InvokeApiDestination'], resources: [destination.apiDestinationArn] }));

    new pipes.CfnPipe(this, 'OrdersPipe', {
      roleArn: role.roleArn,
      source: table.tableStreamArn,
      sourceParameters: {
        dynamoDbStreamParameters: {
          startingPosition: 'LATEST', batchSize: 1, maximumRetryAttempts: 2, deadLetterConfig: { arn: dlq.queueArn },
        },
        filterCriteria: {
          filters: [{ pattern: JSON.stringify({ eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { status: { S: ['PLACED'] } } } }) }],
        },
      },
      target: destination.apiDestinationArn,
      targetParameters: {
        inputTemplate: '{"order": <$.dynamodb.Keys.orderId.S>, "customer": <$.dynamodb.NewImage.customerId.S>, "event": <$.eventName>}',
        httpParameters: {
          pathParameterValues: ['$.dynamodb.Keys.orderId.S'],
          headerParameters: { 'X-Source': 'pipesim-cdk-app' },
          queryStringParameters: { placedAt: '$.dynamodb.Keys.placedAt.N' },
        },
      },
      logConfiguration: { level: 'INFO', cloudwatchLogsLogDestination: { logGroupArn: logGroup.logGroupArn } },
    });
  }
}

const app = new cdk.App();
new OrdersStack(app, 'OrdersStack');
app.synth();
