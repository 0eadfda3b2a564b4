import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../src/config.js';

test('CANOPY_TOPIC_THRESHOLD: unset or empty is 0.5; anything but a number strictly between 0 and 1 is refused', () => {
  assert.equal(loadConfig({}).topicThreshold, 0.5);
  assert.equal(loadConfig({ CANOPY_TOPIC_THRESHOLD: '' }).topicThreshold, 0.5);
  assert.equal(loadConfig({ CANOPY_TOPIC_THRESHOLD: '0.7' }).topicThreshold, 0.7);
  for (const bad of ['abc', '0', '1', '1.5', '-0.2', 'NaN'])
    assert.throws(
      () => loadConfig({ CANOPY_TOPIC_THRESHOLD: bad }),
      new RegExp(`CANOPY_TOPIC_THRESHOLD must be a number between 0 and 1, got '${bad}'`),
    );
});
