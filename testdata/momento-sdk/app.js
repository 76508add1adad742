// An application built on Momento's Node SDK (@gomomento/sdk) and the AWS SDK, written the way
// the seed's TypeScript CLI demo is, that TestMomentoSDK (cmd/pipesim) runs against pipesim.
// It subscribes to the seed's topic, writes an item to the seed's table, receives the topic
// pipe's message, gets the cache-put pipe's entry, deletes the item, and sees the REMOVE
// message arrive and the entry go. Each step prints one line starting with "step:"; any
// failure exits 1 with a line starting with "error:".
//
//   node app.js local   # CredentialProvider.forMomentoLocal({hostname: MOMENTO_HOSTNAME, port: MOMENTO_PORT}): plain text
//   node app.js key     # new StringMomentoTokenProvider(MOMENTO_API_KEY): the key names the server; TLS,
//                       # trusting GRPC_DEFAULT_SSL_ROOTS_FILE_PATH
//
// DynamoDB comes from AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION and the AWS credentials variables.
'use strict';

const {
  CacheClient, CacheGet, Configurations, CredentialProvider, StringMomentoTokenProvider,
  TopicClient, TopicConfigurations, TopicSubscribe,
} = require('@gomomento/sdk');
const { DynamoDBClient, PutItemCommand, DeleteItemCommand } = require('@aws-sdk/client-dynamodb');

const tableName = 'weather-stats-demo';
const cacheName = 'momento-eventbridge-cache';
const topicName = 'momento-eventbridge-topic';
const deadlineMs = 30000;

function credentials(mode) {
  if (mode === 'local') {
    return CredentialProvider.forMomentoLocal({
      hostname: process.env.MOMENTO_HOSTNAME, port: Number(process.env.MOMENTO_PORT),
    });
  }
  if (mode === 'key') {
    return new StringMomentoTokenProvider(process.env.MOMENTO_API_KEY);
  }
  throw new Error(`mode ${mode}: want local or key`);
}

// waitFor polls check until it returns a value, or fails after deadlineMs.
async function waitFor(what, check) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

async function main() {
  const mode = process.argv[2];
  const credentialProvider = credentials(mode);
  const location = `Tucson-${mode}`;
  const messages = [];

  const topics = new TopicClient({ configuration: TopicConfigurations.Default.latest(), credentialProvider });
  const sub = await topics.subscribe(cacheName, topicName, {
    onItem: item => messages.push(JSON.parse(item.valueString())),
    onError: err => console.log(`error: subscription: ${err.toString()}`),
  });
  if (!(sub instanceof TopicSubscribe.Subscription)) throw new Error(`subscribe: ${sub.toString()}`);
  console.log('step: subscribed');

  const cache = await CacheClient.create({ configuration: Configurations.Laptop.v1(), credentialProvider, defaultTtlSeconds: 120 });
  const db = new DynamoDBClient({});
  await db.send(new PutItemCommand({
    TableName: tableName,
    Item: {
      Location: { S: location }, MaxTemp: { N: '101' }, MinTemp: { N: '77' },
      ChancesOfPrecipitation: { N: '5' }, TTL: { N: '120' },
    },
  }));
  console.log(`step: put ${location}`);

  const insert = await waitFor('the INSERT message', () =>
    messages.find(m => m.EventType === 'INSERT' && m.Location === location));
  console.log(`step: topic message ${JSON.stringify(insert)}`);

  const entry = await waitFor('the cache entry', async () => {
    const r = await cache.get(cacheName, location);
    if (r instanceof CacheGet.Hit) return r.valueString();
    if (r instanceof CacheGet.Error) throw new Error(`get: ${r.toString()}`);
    return undefined;
  });
  const parsed = JSON.parse(entry);
  if (parsed.MaxTemp !== '101') throw new Error(`cache entry ${entry}: want MaxTemp "101"`);
  console.log(`step: cache entry ${JSON.stringify(parsed)}`);

  await db.send(new DeleteItemCommand({ TableName: tableName, Key: { Location: { S: location } } }));
  console.log(`step: deleted ${location}`);

  const remove = await waitFor('the REMOVE message', () =>
    messages.find(m => m.EventType === 'REMOVE' && m.Location === location));
  console.log(`step: topic message ${JSON.stringify(remove)}`);

  await waitFor('the cache entry to go', async () => {
    const r = await cache.get(cacheName, location);
    if (r instanceof CacheGet.Miss) return true;
    if (r instanceof CacheGet.Error) throw new Error(`get: ${r.toString()}`);
    return undefined;
  });
  console.log('step: cache entry gone');

  sub.unsubscribe();
  cache.close();
  console.log('step: done');
}

main().then(() => process.exit(0), err => {
  console.log(`error: ${err.message}`);
  process.exit(1);
});
