/**
 * The optional packages behind user-supplied ONNX models: onnxruntime-node (inference) and
 * @huggingface/tokenizers (the model's own tokenizer.json). Neither is a dependency of Canopy — the
 * built-in analysers need no model — so they are imported by name at run time, and a missing one
 * is a clear error that says how to install it. The interfaces below are the few members used.
 */

export interface OrtTensor {
  readonly dims: readonly number[];
  readonly data: ArrayLike<number | bigint>;
  readonly type: string;
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

export interface OrtModule {
  InferenceSession: {
    create(path: string, options?: { intraOpNumThreads?: number; interOpNumThreads?: number }): Promise<OrtSession>;
  };
  Tensor: new (type: 'int64', data: BigInt64Array, dims: readonly number[]) => OrtTensor;
}

export interface HfEncoding {
  ids: number[];
  attention_mask: number[];
  token_type_ids?: number[];
}

export interface HfTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean; text_pair?: string | null }): HfEncoding;
  decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
}

export interface TokenizersModule {
  Tokenizer: new (tokenizer: object, config: object) => HfTokenizer;
}

export const OPTIONAL_PACKAGES = ['onnxruntime-node', '@huggingface/tokenizers'] as const;

/** Thrown when an optional package is not installed; the message says how to install it. */
export class MissingPackageError extends Error {
  constructor(readonly packageName: string) {
    super(
      `${packageName} is not installed: ONNX models need the optional packages ${OPTIONAL_PACKAGES.join(' and ')} ` +
        `(ONNXRUNTIME_NODE_INSTALL=skip npm install --no-save ${OPTIONAL_PACKAGES.join(' ')})`,
    );
    this.name = 'MissingPackageError';
  }
}

async function importOptional<T>(name: string): Promise<T> {
  try {
    // A variable specifier: TypeScript does not resolve it at build time, so Canopy builds and
    // runs without these packages.
    const specifier: string = name;
    return (await import(specifier)) as T;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new MissingPackageError(name);
    throw err;
  }
}

export const loadOrt = () => importOptional<OrtModule>('onnxruntime-node');
export const loadTokenizers = () => importOptional<TokenizersModule>('@huggingface/tokenizers');

/** Whether both optional packages can be imported (tests use it to decide what they can run). */
export async function onnxAvailable(): Promise<boolean> {
  try {
    await loadOrt();
    await loadTokenizers();
    return true;
  } catch (err) {
    if (err instanceof MissingPackageError) return false;
    throw err;
  }
}
