import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { type HfTokenizer, loadOrt, loadTokenizers, type OrtModule, type OrtSession } from './runtime.js';

/**
 * A user-supplied text classifier in ONNX form, read from a local folder laid out as the Hugging
 * Face exporters write it (optimum, transformers.js):
 *   config.json            id2label (and problem_type: "multi_label_classification" → sigmoid)
 *   tokenizer.json         the model's tokenizer (WordPiece, BPE, Unigram …)
 *   tokenizer_config.json  optional; model_max_length caps the input length
 *   model.onnx             or onnx/model.onnx, onnx/model_quantized.onnx
 * The model must take input_ids (and any of attention_mask, token_type_ids) as int64 [batch, tokens]
 * and give one output of logits [batch, labels]. Nothing is fetched: the folder is all there is.
 */
export interface OnnxTextClassifier {
  /** The folder's name, for reports. */
  readonly name: string;
  /** Label names in output order (config.json id2label). */
  readonly labels: readonly string[];
  readonly multiLabel: boolean;
  readonly maxTokens: number;
  /** Probabilities per label for each text (softmax, or sigmoid for multi-label models), in label order. */
  classify(texts: readonly string[]): Promise<Float32Array[]>;
  /**
   * The same for text pairs, as sentence-pair models read them (an aspect-sentiment model: the text
   * and the aspect it is asked about). A pair too long for the model loses the end of its text, never
   * the second part.
   */
  classifyPairs(pairs: readonly (readonly [string, string])[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export interface OnnxLoadOptions {
  /** Texts per inference call (longest text in a batch sets its padding). Default 16. */
  batchSize?: number;
  /** Cap on tokens per text (after the tokenizer's own special tokens). Default: the model's, at most 512. */
  maxTokens?: number;
  /** Threads onnxruntime may use for one call. Default 1: analysis runs beside the database and the server. */
  threads?: number;
}

/** A model folder that cannot be used, with the file and the reason. */
export class OnnxModelError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'OnnxModelError';
  }
}

const MODEL_FILES = ['model.onnx', 'onnx/model.onnx', 'onnx/model_quantized.onnx', 'model_quantized.onnx'];

function readJson(dir: string, file: string, required: boolean): Record<string, unknown> | undefined {
  const p = join(dir, file);
  if (!existsSync(p)) {
    if (required) throw new OnnxModelError(p, 'missing');
    return undefined;
  }
  try {
    const v = JSON.parse(readFileSync(p, 'utf8')) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new OnnxModelError(p, `not valid JSON (${(err as Error).message})`);
  }
}

/** config.json's id2label as an array: keys 0…n−1, each once. */
function labelsOf(config: Record<string, unknown>, file: string): string[] {
  const map = config.id2label;
  if (!map || typeof map !== 'object' || Array.isArray(map)) throw new OnnxModelError(file, 'id2label is missing');
  const entries = Object.entries(map as Record<string, unknown>);
  const labels = new Array<string>(entries.length);
  for (const [k, v] of entries) {
    const i = Number(k);
    if (!Number.isInteger(i) || i < 0 || i >= entries.length || labels[i] !== undefined)
      throw new OnnxModelError(file, `id2label keys must be 0 to ${entries.length - 1}, got '${k}'`);
    if (typeof v !== 'string' || !v.trim()) throw new OnnxModelError(file, `id2label[${k}] must be a label name`);
    labels[i] = v;
  }
  if (labels.length < 2) throw new OnnxModelError(file, 'id2label needs at least two labels');
  return labels;
}

export async function loadOnnxTextClassifier(folder: string, opts: OnnxLoadOptions = {}): Promise<OnnxTextClassifier> {
  const dir = resolve(folder);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new OnnxModelError(dir, 'not a folder');
  const batchSize = opts.batchSize ?? 16;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1024)
    throw new RangeError(`batchSize must be a whole number from 1 to 1024, got ${batchSize}`);
  const config = readJson(dir, 'config.json', true) as Record<string, unknown>;
  const labels = labelsOf(config, join(dir, 'config.json'));
  const multiLabel = config.problem_type === 'multi_label_classification';
  const tokJson = readJson(dir, 'tokenizer.json', true) as Record<string, unknown>;
  const tokConfig = readJson(dir, 'tokenizer_config.json', false) ?? {};
  const modelFile = MODEL_FILES.map((f) => join(dir, f)).find((p) => existsSync(p));
  if (!modelFile) throw new OnnxModelError(dir, `no model file (looked for ${MODEL_FILES.join(', ')})`);
  const modelMax = [tokConfig.model_max_length, config.max_position_embeddings].find(
    (v): v is number => typeof v === 'number' && Number.isInteger(v) && v > 2,
  );
  const maxTokens = Math.min(opts.maxTokens ?? 512, modelMax ?? 512);
  if (!Number.isInteger(maxTokens) || maxTokens < 3)
    throw new RangeError(`maxTokens must be at least 3, got ${maxTokens}`);

  const [ort, tk] = await Promise.all([loadOrt(), loadTokenizers()]);
  let tokenizer: HfTokenizer;
  try {
    tokenizer = new tk.Tokenizer(tokJson, tokConfig);
    tokenizer.encode('ok');
  } catch (err) {
    throw new OnnxModelError(join(dir, 'tokenizer.json'), `cannot be used (${(err as Error).message})`);
  }
  let session: OrtSession;
  try {
    const threads = opts.threads ?? 1;
    session = await ort.InferenceSession.create(modelFile, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  } catch (err) {
    throw new OnnxModelError(modelFile, `cannot be loaded (${(err as Error).message})`);
  }
  const known = new Set(['input_ids', 'attention_mask', 'token_type_ids']);
  const unknown = session.inputNames.filter((n) => !known.has(n));
  if (!session.inputNames.includes('input_ids') || unknown.length) {
    await session.release();
    throw new OnnxModelError(
      modelFile,
      `inputs must be input_ids and any of attention_mask, token_type_ids; the model has ${session.inputNames.join(', ')}`,
    );
  }
  const output = session.outputNames.includes('logits') ? 'logits' : session.outputNames[0];
  return new Classifier(
    basename(dir),
    labels,
    multiLabel,
    maxTokens,
    batchSize,
    tokenizer,
    ort,
    session,
    output,
    modelFile,
  );
}

interface Encoded {
  ids: number[];
  types: number[];
}

class Classifier implements OnnxTextClassifier {
  constructor(
    readonly name: string,
    readonly labels: readonly string[],
    readonly multiLabel: boolean,
    readonly maxTokens: number,
    private readonly batchSize: number,
    private readonly tokenizer: HfTokenizer,
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    private readonly output: string,
    private readonly file: string,
  ) {
    this.takesTypes = session.inputNames.includes('token_type_ids');
  }

  private readonly takesTypes: boolean;

  /** Token ids of one text, cut to maxTokens keeping the closing special token ([SEP], </s>). */
  private encode(text: string): Encoded {
    const e = this.tokenizer.encode(text);
    let ids = e.ids;
    let types = e.token_type_ids ?? ids.map(() => 0);
    if (ids.length > this.maxTokens) {
      ids = [...ids.slice(0, this.maxTokens - 1), ids[ids.length - 1]];
      types = [...types.slice(0, this.maxTokens - 1), types[types.length - 1]];
    }
    return { ids, types };
  }

  /**
   * Token ids of a pair. Segment ids, where the tokenizer gives none: 1 from where the first text's
   * own encoding ends ([CLS] A [SEP] | B [SEP]), as BERT-style models expect; models without them
   * ignore them. Too long: the first text is cut (by its own tokens) until the pair fits.
   */
  private encodePair(text: string, pair: string): Encoded {
    let first = text;
    let e = this.tokenizer.encode(first, { text_pair: pair });
    if (e.ids.length > this.maxTokens) {
      const own = this.tokenizer.encode(first, { add_special_tokens: false }).ids;
      const keep = Math.max(0, own.length - (e.ids.length - this.maxTokens));
      first = this.tokenizer.decode(own.slice(0, keep), { skip_special_tokens: true });
      e = this.tokenizer.encode(first, { text_pair: pair });
      if (e.ids.length > this.maxTokens) return this.encode(`${first} ${pair}`);
    }
    let types = e.token_type_ids;
    if (!types) {
      // Only a model that takes segment ids needs the first text encoded once more to place them.
      const split = this.takesTypes ? this.tokenizer.encode(first).ids.length : e.ids.length;
      types = e.ids.map((_, i) => (i >= split ? 1 : 0));
    }
    return { ids: e.ids, types };
  }

  async classify(texts: readonly string[]): Promise<Float32Array[]> {
    return this.inBatches(texts.map((t) => () => this.encode(t)));
  }

  async classifyPairs(pairs: readonly (readonly [string, string])[]): Promise<Float32Array[]> {
    return this.inBatches(
      pairs.map(
        ([a, b]) =>
          () =>
            this.encodePair(a, b),
      ),
    );
  }

  private async inBatches(items: (() => Encoded)[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let start = 0; start < items.length; start += this.batchSize) {
      out.push(...(await this.runBatch(items.slice(start, start + this.batchSize).map((f) => f()))));
    }
    return out;
  }

  private async runBatch(enc: Encoded[]): Promise<Float32Array[]> {
    if (enc.length === 0) return [];
    const B = enc.length;
    const T = Math.max(1, ...enc.map((e) => e.ids.length));
    const ids = new BigInt64Array(B * T);
    const mask = new BigInt64Array(B * T);
    const types = new BigInt64Array(B * T);
    enc.forEach((e, b) => {
      for (let t = 0; t < e.ids.length; t++) {
        ids[b * T + t] = BigInt(e.ids[t]);
        mask[b * T + t] = 1n;
        types[b * T + t] = BigInt(e.types[t] ?? 0);
      }
    });
    const all: Record<string, BigInt64Array> = { input_ids: ids, attention_mask: mask, token_type_ids: types };
    const feeds: Record<string, InstanceType<OrtModule['Tensor']>> = {};
    for (const name of this.session.inputNames) feeds[name] = new this.ort.Tensor('int64', all[name], [B, T]);
    const result = await this.session.run(feeds);
    const logits = result[this.output];
    const C = this.labels.length;
    if (logits?.dims.length !== 2 || logits.dims[0] !== B || logits.dims[1] !== C)
      throw new OnnxModelError(
        this.file,
        `output '${this.output}' must be [batch, ${C}] logits (config.json has ${C} labels), got [${logits?.dims.join(', ')}]`,
      );
    const data = logits.data;
    const rows: Float32Array[] = [];
    for (let b = 0; b < B; b++) {
      const p = new Float32Array(C);
      if (this.multiLabel) {
        for (let c = 0; c < C; c++) p[c] = 1 / (1 + Math.exp(-Number(data[b * C + c])));
      } else {
        let mx = -Infinity;
        for (let c = 0; c < C; c++) mx = Math.max(mx, Number(data[b * C + c]));
        let z = 0;
        for (let c = 0; c < C; c++) {
          p[c] = Math.exp(Number(data[b * C + c]) - mx);
          z += p[c];
        }
        for (let c = 0; c < C; c++) p[c] /= z;
      }
      rows.push(p);
    }
    return rows;
  }

  close(): Promise<void> {
    return this.session.release();
  }
}
