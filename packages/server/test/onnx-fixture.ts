import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a small but real ONNX text classifier folder for tests (no model hub here): a WordPiece
 * tokenizer.json over a tiny vocabulary, config.json with id2label, and model.onnx — a bag of
 * token embeddings: logits = Σ over unmasked tokens of E[token] + bias, so every expected output
 * can be worked out by hand. The ONNX protobuf is written directly (opset 13).
 */

export const FIXTURE_VOCAB = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  'the',
  'food',
  'was',
  'good',
  'great',
  'bad',
  'awful',
  'ok',
  'service',
  '##s',
  'coffee',
  'delivery',
  'late',
  'drinks',
];

export interface FixtureOptions {
  labels?: string[];
  /** Per-token logit contributions: token → one number per label (others: zeros). */
  weights?: Record<string, number[]>;
  bias?: number[];
  /** Declare token_type_ids as a third input (BERT exports do); each type-1 token adds 1 to the first label's logit (0 for one text). */
  tokenTypes?: boolean;
  /** tokenizer_config.json model_max_length. */
  maxLength?: number;
  problemType?: string;
  /** Where model.onnx goes inside the folder (transformers.js puts it in onnx/). */
  modelPath?: string;
}

/** Softmax of logits: what the fixture's probabilities are, worked by hand in the tests. */
export function softmax(xs: number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

export const SENTIMENT_WEIGHTS: Record<string, number[]> = {
  good: [-1, 0, 2],
  great: [-1.5, 0, 3],
  bad: [2, 0, -1],
  awful: [3, 0, -1.5],
  ok: [0, 1.5, 0.5],
};

export function writeFixtureModel(dir: string, o: FixtureOptions = {}): void {
  const labels = o.labels ?? ['negative', 'neutral', 'positive'];
  const weights = o.weights ?? SENTIMENT_WEIGHTS;
  const C = labels.length;
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      model_type: 'bert',
      id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
      label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
      max_position_embeddings: 64,
      ...(o.problemType ? { problem_type: o.problemType } : {}),
    }),
  );
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson()));
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      model_max_length: o.maxLength ?? 32,
      do_lower_case: true,
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      unk_token: '[UNK]',
      tokenizer_class: 'BertTokenizer',
    }),
  );
  const E = new Float32Array(FIXTURE_VOCAB.length * C);
  FIXTURE_VOCAB.forEach((t, i) => {
    const w = weights[t];
    if (w) for (let c = 0; c < C; c++) E[i * C + c] = w[c] ?? 0;
  });
  const bias = Float32Array.from(o.bias ?? new Array(C).fill(0));
  writeFileSync(join(dir, o.modelPath ?? 'model.onnx'), modelProto(E, bias, FIXTURE_VOCAB.length, C, !!o.tokenTypes));
}

function tokenizerJson() {
  const special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: special.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(FIXTURE_VOCAB.map((t, i) => [t, i])),
    },
  };
}

// ---------- a minimal protobuf writer for the ONNX messages used ----------

type Field = [number, number | string | Uint8Array | Field[] | bigint];

function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

/** Encodes fields in order: numbers as varints, strings/bytes/sub-messages length-delimited. */
function message(fields: Field[]): Uint8Array {
  const out: number[] = [];
  for (const [no, v] of fields) {
    if (typeof v === 'number' || typeof v === 'bigint') {
      out.push(...varint(no << 3), ...varint(v));
      continue;
    }
    const bytes = typeof v === 'string' ? new TextEncoder().encode(v) : v instanceof Uint8Array ? v : message(v);
    out.push(...varint((no << 3) | 2), ...varint(bytes.length), ...bytes);
  }
  return Uint8Array.from(out);
}

const FLOAT = 1;
const INT64 = 7;

function tensor(name: string, type: number, dims: number[], raw: Uint8Array): Field[] {
  return [...dims.map((d): Field => [1, d]), [2, type], [8, name], [9, raw]];
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]): Field[] {
  const shape: Field[] = dims.map((d): Field => [1, typeof d === 'number' ? [[1, d]] : [[2, d]]]);
  return [
    [1, name],
    [
      2,
      [
        [
          1,
          [
            [1, elemType],
            [2, shape],
          ],
        ],
      ],
    ],
  ];
}

function node(op: string, inputs: string[], outputs: string[], attrs: Field[][] = []): Field[] {
  return [
    ...inputs.map((i): Field => [1, i]),
    ...outputs.map((o): Field => [2, o]),
    [3, `${op}_${outputs[0]}`],
    [4, op],
    ...attrs.map((a): Field => [5, a]),
  ];
}

const intAttr = (name: string, i: number): Field[] => [
  [1, name],
  [3, i],
  [20, 2],
];

const bytesOf = (a: Float32Array | BigInt64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function modelProto(E: Float32Array, bias: Float32Array, V: number, C: number, tokenTypes: boolean): Uint8Array {
  const nodes: Field[][] = [
    node('Gather', ['E', 'input_ids'], ['g'], [intAttr('axis', 0)]),
    node('Cast', ['attention_mask'], ['mf'], [intAttr('to', FLOAT)]),
    node('Unsqueeze', ['mf', 'axes2'], ['m3']),
    node('Mul', ['g', 'm3'], ['gm']),
    node('ReduceSum', ['gm', 'axes1'], ['s'], [intAttr('keepdims', 0)]),
  ];
  if (tokenTypes) {
    nodes.push(
      node('Cast', ['token_type_ids'], ['tf'], [intAttr('to', FLOAT)]),
      node('ReduceSum', ['tf', 'axes1'], ['ts'], [intAttr('keepdims', 1)]),
      node('Mul', ['ts', 'typeWeight'], ['tsw']),
      node('Add', ['s', 'tsw'], ['s2']),
      node('Add', ['s2', 'bias'], ['logits']),
    );
  } else nodes.push(node('Add', ['s', 'bias'], ['logits']));
  const inputs = [
    valueInfo('input_ids', INT64, ['batch', 'tokens']),
    valueInfo('attention_mask', INT64, ['batch', 'tokens']),
    ...(tokenTypes ? [valueInfo('token_type_ids', INT64, ['batch', 'tokens'])] : []),
  ];
  const graph: Field[] = [
    ...nodes.map((n): Field => [1, n]),
    [2, 'bag_of_tokens'],
    [5, tensor('E', FLOAT, [V, C], bytesOf(E))],
    [5, tensor('bias', FLOAT, [C], bytesOf(bias))],
    // Each second-segment token (type id 1) adds 1 to the first label's logit.
    ...(tokenTypes
      ? [
          [
            5,
            tensor('typeWeight', FLOAT, [C], bytesOf(Float32Array.from({ length: C }, (_, c) => (c === 0 ? 1 : 0)))),
          ] as Field,
        ]
      : []),
    [5, tensor('axes1', INT64, [1], bytesOf(BigInt64Array.from([1n])))],
    [5, tensor('axes2', INT64, [1], bytesOf(BigInt64Array.from([2n])))],
    ...inputs.map((i): Field => [11, i]),
    [12, valueInfo('logits', FLOAT, ['batch', C])],
  ];
  return message([
    [1, 8],
    [2, 'canopy-test'],
    [7, graph],
    [
      8,
      [
        [1, ''],
        [2, 13],
      ],
    ],
  ]);
}
