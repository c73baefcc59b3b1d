import { Either, Option, type ParseResult, Schema, SchemaAST as AST } from "effect"

// Schema's decoder builds a ParseResult frame for every field it visits: 276 KB of garbage per
// rich movie against a 3.4 KB body, the largest single share of the collector's allocation, whose
// collection costs as much CPU again on V8's helper threads (BENCHMARKS.md, CPU per rich movie).
// `fastDecoder` walks the same AST once, ahead of time, into plain closures that run the schema's
// own filters and transformations and allocate only the output. Whatever they cannot decode,
// and every schema with a part they do not cover, goes to Schema's decoder: it alone says why a
// body is wrong, and the only fast answers are successes equal to its own. It reads Schema's AST
// and mirrors how ParseResult walks it as of effect 3.22: the one place that depends on how Schema
// works inside, held to Schema's answers by test/FastDecode.test.ts.

/** A value the fast path does not accept: a union tries its next member, else Schema decides. */
const MISS: unique symbol = Symbol("fastDecode.miss")
/**
 * Thrown where the fast path cannot tell acceptance from refusal (a transformation that answers
 * with an effect, not an Either): the whole input goes to Schema, so no union picks another member.
 */
const UNDECIDED: unique symbol = Symbol("fastDecode.undecided")
type Parser = (input: unknown) => unknown

const OPTIONS: AST.ParseOptions = {}

const fromEither = (result: unknown): unknown => {
  if (!Either.isEither(result)) throw UNDECIDED
  return Either.isRight(result) ? result.right : MISS
}

/** Annotations that change how Schema parses a node: such a schema is not covered. */
const changesParsing = (ast: AST.AST) => Option.isSome(AST.getParseOptionsAnnotation(ast)) || Option.isSome(AST.getDecodingFallbackAnnotation(ast))

/** The decoding side of a transformation, as ParseResult's `getFinalTransformation` runs it. */
const decodingOf = (t: AST.TransformationKind): (a: unknown, ast: AST.Transformation, i: unknown) => unknown => {
  switch (t._tag) {
    case "FinalTransformation":
      return (a, ast, i) => fromEither(t.decode(a, OPTIONS, ast, i))
    case "ComposeTransformation":
      return (a) => a
    case "TypeLiteralTransformation":
      // Renames and defaults (`fromKey`, `optionalWith`) on the object the `from` side built.
      return (a) => {
        const out = a as Record<PropertyKey, unknown>
        for (const pst of t.propertySignatureTransformations) {
          const o = pst.decode(Object.prototype.hasOwnProperty.call(out, pst.from) ? Option.some(out[pst.from]) : Option.none())
          delete out[pst.from]
          if (Option.isSome(o)) out[pst.to] = o.value
        }
        return out
      }
  }
}

/**
 * Schema tries a union's members in order, except those it can pick by a literal property (a
 * tagged struct): a member with one is not covered (ParseResult's `getLiterals`).
 */
const isKeyedMember = (ast: AST.AST): boolean => {
  switch (ast._tag) {
    case "Refinement":
      return isKeyedMember(ast.from)
    case "Transformation":
      return isKeyedMember(ast.from)
    case "Suspend":
    case "Declaration":
      return true
    case "TypeLiteral":
      return ast.propertySignatures.some((ps) => !ps.isOptional && AST.isLiteral(AST.encodedAST(ps.type)))
    case "TupleType":
      return ast.elements.some((e) => !e.isOptional && AST.isLiteral(AST.encodedAST(e.type)))
    default:
      return false
  }
}

/** The parser for `ast`, or undefined when a part of it is not covered. */
const compile = (ast: AST.AST, memo: Map<AST.AST, Parser | undefined>): Parser | undefined => {
  if (memo.has(ast)) return memo.get(ast)
  // A cycle (a suspended schema) is not covered: the entry stays undefined while it is compiled.
  memo.set(ast, undefined)
  const parser = compileNode(ast, memo)
  memo.set(ast, parser)
  return parser
}

const compileNode = (ast: AST.AST, memo: Map<AST.AST, Parser | undefined>): Parser | undefined => {
  const go = (a: AST.AST) => compile(a, memo)
  if (changesParsing(ast)) return undefined
  switch (ast._tag) {
    case "StringKeyword":
      return (u) => (typeof u === "string" ? u : MISS)
    case "NumberKeyword":
      return (u) => (typeof u === "number" ? u : MISS)
    case "BooleanKeyword":
      return (u) => (typeof u === "boolean" ? u : MISS)
    case "UndefinedKeyword":
      return (u) => (u === undefined ? u : MISS)
    case "UnknownKeyword":
    case "AnyKeyword":
      return (u) => u
    case "Literal": {
      const literal = ast.literal
      return (u) => (u === literal ? u : MISS)
    }
    case "Refinement": {
      const from = go(ast.from)
      if (from === undefined) return undefined
      return (u) => {
        const a = from(u)
        return a === MISS || Option.isSome(ast.filter(a, OPTIONS, ast)) ? MISS : a
      }
    }
    case "Transformation": {
      const from = go(ast.from)
      const to = go(ast.to)
      if (from === undefined || to === undefined) return undefined
      const transform = decodingOf(ast.transformation)
      return (u) => {
        const a = from(u)
        if (a === MISS) return MISS
        const b = transform(a, ast, u)
        return b === MISS ? MISS : to(b)
      }
    }
    case "Union": {
      if (ast.types.some(isKeyedMember)) return undefined
      const members = ast.types.map(go)
      if (members.some((m) => m === undefined)) return undefined
      const parsers = members as ReadonlyArray<Parser>
      return (u) => {
        for (const parse of parsers) {
          const a = parse(u)
          if (a !== MISS) return a
        }
        return MISS
      }
    }
    case "TupleType": {
      // Arrays (`Schema.Array`) only: one rest element and nothing else.
      if (ast.elements.length > 0 || ast.rest.length !== 1) return undefined
      const item = go(ast.rest[0]!.type)
      if (item === undefined) return undefined
      return (u) => {
        if (!Array.isArray(u)) return MISS
        const out = new Array<unknown>(u.length)
        for (let i = 0; i < u.length; i++) {
          const a = item(u[i])
          if (a === MISS) return MISS
          out[i] = a
        }
        return out
      }
    }
    case "TypeLiteral": {
      if (ast.indexSignatures.length > 0 || ast.propertySignatures.length === 0) return undefined
      const fields = ast.propertySignatures.map((ps) => ({ name: ps.name, optional: ps.isOptional, parse: go(ps.type) }))
      if (fields.some((f) => f.parse === undefined)) return undefined
      return (u) => {
        if (typeof u !== "object" || u === null || Array.isArray(u)) return MISS
        const record = u as Record<PropertyKey, unknown>
        const out: Record<PropertyKey, unknown> = {}
        for (const f of fields) {
          // As Schema without `exact`: a missing key is undefined unless the field is optional.
          const has = Object.prototype.hasOwnProperty.call(record, f.name)
          if (!has && f.optional) continue
          const a = f.parse!(record[f.name])
          if (a === MISS) return MISS
          out[f.name] = a
        }
        return out
      }
    }
    default:
      return undefined
  }
}

/**
 * `Schema.decodeUnknownEither(schema)`, the same answers, with successes built by plain closures
 * where the schema's parts allow (see above); `covered` says whether they do, and `toSchema` how
 * many inputs went to Schema all the same.
 */
export const fastDecoder = <A, I>(schema: Schema.Schema<A, I, never>) => {
  const slow = Schema.decodeUnknownEither(schema)
  const fast = compile(schema.ast, new Map())
  // Inputs that went to Schema, fast path or not: a test can see that the fast path did the work.
  let toSchema = 0
  const viaSchema = (input: unknown) => {
    toSchema++
    return slow(input)
  }
  const decode = fast === undefined ? viaSchema : (input: unknown): Either.Either<A, ParseResult.ParseError> => {
    let a: unknown
    try {
      a = fast(input)
    } catch (e) {
      if (e !== UNDECIDED) throw e
      return viaSchema(input)
    }
    return a === MISS ? viaSchema(input) : Either.right(a as A)
  }
  return Object.assign(decode, { covered: fast !== undefined, toSchema: () => toSchema })
}
