/* wasi_app.c: a larger program for the verifier and the JITs (bench/large/README.md): a
 * record-processing tool on wasi-libc. It makes a table of records from a seeded generator,
 * prints them as CSV text, parses the text back (strtol, strtod, strtok_r, sscanf), keeps them
 * in typed containers and hash maps, sorts and searches them (qsort, bsearch), evaluates
 * expressions of a small language over their fields, and reports with printf/snprintf.
 * The containers are written once as macros and instantiated for several types, as C++
 * templates would be. Prints one checksum line; exit 0. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a deterministic generator ------------------------------------------------------- */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t Next(void) {
  uint64_t x = rng_state;
  x ^= x << 13, x ^= x >> 7, x ^= x << 17;
  return rng_state = x;
}
static int Below(int n) { return (int)(Next() % (uint64_t)n); }
static double Uniform(double lo, double hi) { return lo + (hi - lo) * (double)(Next() >> 11) / 9007199254740992.0; }

static uint64_t checksum = 1469598103934665603ull;
static void Mix(const void* p, size_t n) {
  const unsigned char* b = p;
  for (size_t i = 0; i < n; ++i) checksum = (checksum ^ b[i]) * 1099511628211ull;
}
static void MixText(const char* s) { Mix(s, strlen(s)); }

/* ---- growable text ------------------------------------------------------------------- */
typedef struct {
  char* data;
  size_t len, cap;
} Text;
static void TextReserve(Text* t, size_t more) {
  if (t->len + more + 1 <= t->cap) return;
  size_t cap = t->cap ? t->cap : 64;
  while (cap < t->len + more + 1) cap *= 2;
  char* d = realloc(t->data, cap);
  if (!d) { fputs("out of memory\n", stderr); exit(2); }
  t->data = d, t->cap = cap;
}
static void TextPrintf(Text* t, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char small[256];
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  TextReserve(t, (size_t)n);
  if ((size_t)n < sizeof small) {
    memcpy(t->data + t->len, small, (size_t)n + 1);
  } else {
    va_start(ap, fmt);
    vsnprintf(t->data + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
  }
  t->len += (size_t)n;
}
static void TextFree(Text* t) { free(t->data), t->data = NULL, t->len = t->cap = 0; }

/* ---- typed containers, written once ---------------------------------------------------- */
#define DEFINE_VEC(T, NAME, CMP, FMT, TOD)                                                     \
  typedef struct { T* at; size_t n, cap; } NAME;                                             \
  static void NAME##Push(NAME* v, T x) {                                                     \
    if (v->n == v->cap) {                                                                    \
      size_t cap = v->cap ? v->cap * 2 : 8;                                                  \
      T* at = realloc(v->at, cap * sizeof(T));                                               \
      if (!at) exit(2);                                                                      \
      v->at = at, v->cap = cap;                                                              \
    }                                                                                        \
    v->at[v->n++] = x;                                                                       \
  }                                                                                          \
  static int NAME##Cmp(const void* a, const void* b) { return CMP(*(const T*)a, *(const T*)b); } \
  static void NAME##Sort(NAME* v) { qsort(v->at, v->n, sizeof(T), NAME##Cmp); }              \
  static T* NAME##Find(NAME* v, T key) { return bsearch(&key, v->at, v->n, sizeof(T), NAME##Cmp); } \
  static void NAME##Reverse(NAME* v) {                                                       \
    for (size_t i = 0, j = v->n ? v->n - 1 : 0; i < j; ++i, --j) {                           \
      T t = v->at[i]; v->at[i] = v->at[j]; v->at[j] = t;                                     \
    }                                                                                        \
  }                                                                                          \
  static size_t NAME##Unique(NAME* v) {                                                      \
    size_t w = 0;                                                                            \
    for (size_t r = 0; r < v->n; ++r)                                                        \
      if (w == 0 || CMP(v->at[w - 1], v->at[r]) != 0) v->at[w++] = v->at[r];                 \
    return v->n = w;                                                                         \
  }                                                                                          \
  static void NAME##Stats(const NAME* v, double* mean, double* sd, double* median) {         \
    double s = 0, q = 0;                                                                     \
    for (size_t i = 0; i < v->n; ++i) { double d = TOD(v->at[i]); s += d; q += d * d; }      \
    *mean = v->n ? s / (double)v->n : 0;                                                     \
    *sd = v->n ? sqrt(fabs(q / (double)v->n - *mean * *mean)) : 0;                          \
    *median = v->n ? TOD(v->at[v->n / 2]) : 0;                                               \
  }                                                                                          \
  static void NAME##Dump(const NAME* v, Text* out, size_t most) {                            \
    TextPrintf(out, "%s[%zu]:", #NAME, v->n);                                                \
    for (size_t i = 0; i < v->n && i < most; ++i) TextPrintf(out, " " FMT, v->at[i]);        \
    TextPrintf(out, "\n");                                                                   \
  }                                                                                          \
  static void NAME##Rotate(NAME* v, size_t k) {                                              \
    if (!v->n) return;                                                                       \
    k %= v->n;                                                                               \
    T* tmp = malloc(k * sizeof(T) + 1);                                                      \
    memcpy(tmp, v->at, k * sizeof(T));                                                       \
    memmove(v->at, v->at + k, (v->n - k) * sizeof(T));                                       \
    memcpy(v->at + v->n - k, tmp, k * sizeof(T));                                            \
    free(tmp);                                                                               \
  }                                                                                          \
  static void NAME##Free(NAME* v) { free(v->at), v->at = NULL, v->n = v->cap = 0; }

#define CMP_NUM(a, b) ((a) < (b) ? -1 : (a) > (b) ? 1 : 0)
#define TOD_NUM(x) ((double)(x))

DEFINE_VEC(int8_t, VecI8, CMP_NUM, "%d", TOD_NUM)
DEFINE_VEC(uint8_t, VecU8, CMP_NUM, "%u", TOD_NUM)
DEFINE_VEC(int16_t, VecI16, CMP_NUM, "%d", TOD_NUM)
DEFINE_VEC(uint16_t, VecU16, CMP_NUM, "%u", TOD_NUM)
DEFINE_VEC(int32_t, VecI32, CMP_NUM, "%" PRId32, TOD_NUM)
DEFINE_VEC(uint32_t, VecU32, CMP_NUM, "%" PRIu32, TOD_NUM)
DEFINE_VEC(int64_t, VecI64, CMP_NUM, "%" PRId64, TOD_NUM)
DEFINE_VEC(uint64_t, VecU64, CMP_NUM, "%" PRIu64, TOD_NUM)
DEFINE_VEC(float, VecF32, CMP_NUM, "%.3f", TOD_NUM)
DEFINE_VEC(double, VecF64, CMP_NUM, "%.6g", TOD_NUM)
DEFINE_VEC(long, VecLong, CMP_NUM, "%ld", TOD_NUM)
DEFINE_VEC(unsigned long, VecULong, CMP_NUM, "%lu", TOD_NUM)

/* The same containers ordered otherwise: descending, by magnitude, by bits set, by last digit,
 * by byte-swapped value, by fractional part. */
#define CMP_DESC(a, b) CMP_NUM(b, a)
#define CMP_ABS(a, b) CMP_NUM((a) < 0 ? -(double)(a) : (double)(a), (b) < 0 ? -(double)(b) : (double)(b))
#define CMP_POP(a, b) CMP_NUM(__builtin_popcountll((uint64_t)(a)), __builtin_popcountll((uint64_t)(b)))
#define CMP_MOD10(a, b) CMP_NUM(((a) % 10 + 10) % 10, ((b) % 10 + 10) % 10)
#define CMP_BSWAP16(a, b) CMP_NUM(__builtin_bswap16(a), __builtin_bswap16(b))
#define CMP_BSWAP32(a, b) CMP_NUM(__builtin_bswap32(a), __builtin_bswap32(b))
#define CMP_FRAC(a, b) CMP_NUM((a) - floor(a), (b) - floor(b))
#define TOD_LOG(x) log1p(fabs((double)(x)))
DEFINE_VEC(int32_t, VecI32Desc, CMP_DESC, "%" PRId32, TOD_NUM)
DEFINE_VEC(int64_t, VecI64Abs, CMP_ABS, "%" PRId64, TOD_LOG)
DEFINE_VEC(uint32_t, VecU32Pop, CMP_POP, "%" PRIx32, TOD_NUM)
DEFINE_VEC(uint64_t, VecU64Pop, CMP_POP, "%" PRIx64, TOD_LOG)
DEFINE_VEC(int32_t, VecI32Mod, CMP_MOD10, "%" PRId32, TOD_NUM)
DEFINE_VEC(double, VecF64Desc, CMP_DESC, "%.5e", TOD_NUM)
DEFINE_VEC(float, VecF32Abs, CMP_ABS, "%.2f", TOD_LOG)
DEFINE_VEC(int16_t, VecI16Desc, CMP_DESC, "%d", TOD_NUM)
DEFINE_VEC(uint16_t, VecU16Swap, CMP_BSWAP16, "%04x", TOD_NUM)
DEFINE_VEC(uint32_t, VecU32Swap, CMP_BSWAP32, "%08" PRIx32, TOD_LOG)
DEFINE_VEC(uint8_t, VecU8Desc, CMP_DESC, "%u", TOD_NUM)
DEFINE_VEC(long long, VecLLAbs, CMP_ABS, "%lld", TOD_NUM)
DEFINE_VEC(double, VecF64Frac, CMP_FRAC, "%.3f", TOD_LOG)
DEFINE_VEC(int64_t, VecI64Mod, CMP_MOD10, "%" PRId64, TOD_NUM)
DEFINE_VEC(int8_t, VecI8Abs, CMP_ABS, "%d", TOD_LOG)
DEFINE_VEC(float, VecF32Desc, CMP_DESC, "%.1f", TOD_NUM)

/* Binary heaps (priority queues) and dense matrices, one per element type. */
#define DEFINE_HEAP(T, NAME, CMP)                                                             \
  typedef struct { T* at; size_t n, cap; } NAME;                                             \
  static void NAME##Push(NAME* h, T x) {                                                     \
    if (h->n == h->cap) {                                                                    \
      h->cap = h->cap ? 2 * h->cap : 16;                                                     \
      h->at = realloc(h->at, h->cap * sizeof(T));                                            \
      if (!h->at) exit(2);                                                                   \
    }                                                                                        \
    size_t i = h->n++;                                                                       \
    while (i && CMP(h->at[(i - 1) / 2], x) > 0) h->at[i] = h->at[(i - 1) / 2], i = (i - 1) / 2; \
    h->at[i] = x;                                                                            \
  }                                                                                          \
  static T NAME##Pop(NAME* h) {                                                              \
    T top = h->at[0], last = h->at[--h->n];                                                  \
    size_t i = 0;                                                                            \
    for (;;) {                                                                               \
      size_t c = 2 * i + 1;                                                                  \
      if (c >= h->n) break;                                                                  \
      if (c + 1 < h->n && CMP(h->at[c + 1], h->at[c]) < 0) ++c;                              \
      if (CMP(last, h->at[c]) <= 0) break;                                                   \
      h->at[i] = h->at[c], i = c;                                                            \
    }                                                                                        \
    if (h->n) h->at[i] = last;                                                               \
    return top;                                                                              \
  }                                                                                          \
  static double NAME##Drain(NAME* h, size_t keep) {                                          \
    double s = 0;                                                                            \
    size_t k = 0;                                                                            \
    while (h->n) {                                                                           \
      T x = NAME##Pop(h);                                                                    \
      if (k++ < keep) s = s * 1.0001 + (double)x;                                            \
    }                                                                                        \
    free(h->at), h->at = NULL, h->cap = 0;                                                   \
    return s;                                                                                \
  }

#define DEFINE_MATRIX(T, NAME, FMT)                                                           \
  typedef struct { size_t rows, cols; T* at; } NAME;                                         \
  static NAME NAME##New(size_t rows, size_t cols) {                                          \
    NAME m = {rows, cols, calloc(rows * cols + 1, sizeof(T))};                               \
    return m;                                                                                \
  }                                                                                          \
  static NAME NAME##Mul(const NAME* a, const NAME* b) {                                      \
    NAME c = NAME##New(a->rows, b->cols);                                                    \
    for (size_t i = 0; i < a->rows; ++i)                                                     \
      for (size_t k = 0; k < a->cols; ++k) {                                                 \
        T x = a->at[i * a->cols + k];                                                        \
        for (size_t j = 0; j < b->cols; ++j) c.at[i * c.cols + j] += x * b->at[k * b->cols + j]; \
      }                                                                                      \
    return c;                                                                                \
  }                                                                                          \
  static NAME NAME##Transpose(const NAME* a) {                                               \
    NAME t = NAME##New(a->cols, a->rows);                                                    \
    for (size_t i = 0; i < a->rows; ++i)                                                     \
      for (size_t j = 0; j < a->cols; ++j) t.at[j * t.cols + i] = a->at[i * a->cols + j];    \
    return t;                                                                                \
  }                                                                                          \
  static double NAME##Trace(const NAME* a) {                                                 \
    double s = 0;                                                                            \
    for (size_t i = 0; i < a->rows && i < a->cols; ++i) s += (double)a->at[i * a->cols + i]; \
    return s;                                                                                \
  }                                                                                          \
  static void NAME##Print(const NAME* a, Text* out) {                                        \
    for (size_t i = 0; i < a->rows && i < 3; ++i) {                                          \
      for (size_t j = 0; j < a->cols && j < 4; ++j) TextPrintf(out, " " FMT, a->at[i * a->cols + j]); \
      TextPrintf(out, "\n");                                                                 \
    }                                                                                        \
  }

/* Hash maps from text keys, one per value type. */
#define DEFINE_MAP(V, NAME, FMT)                                                              \
  typedef struct { char* key; V value; int used; } NAME##Slot;                               \
  typedef struct { NAME##Slot* slots; size_t n, cap; } NAME;                                 \
  static uint32_t NAME##Hash(const char* s) {                                                \
    uint32_t h = 2166136261u;                                                                \
    while (*s) h = (h ^ (unsigned char)*s++) * 16777619u;                                    \
    return h;                                                                                \
  }                                                                                          \
  static void NAME##Grow(NAME* m);                                                           \
  static V* NAME##At(NAME* m, const char* key) {                                             \
    if (2 * (m->n + 1) > m->cap) NAME##Grow(m);                                              \
    size_t i = NAME##Hash(key) & (m->cap - 1);                                               \
    while (m->slots[i].used) {                                                               \
      if (strcmp(m->slots[i].key, key) == 0) return &m->slots[i].value;                      \
      i = (i + 1) & (m->cap - 1);                                                            \
    }                                                                                        \
    m->slots[i].used = 1;                                                                    \
    m->slots[i].key = strdup(key);                                                           \
    memset(&m->slots[i].value, 0, sizeof(V));                                                \
    ++m->n;                                                                                  \
    return &m->slots[i].value;                                                               \
  }                                                                                          \
  static V* NAME##Get(const NAME* m, const char* key) {                                      \
    if (!m->cap) return NULL;                                                                \
    size_t i = NAME##Hash(key) & (m->cap - 1);                                               \
    while (m->slots[i].used) {                                                               \
      if (strcmp(m->slots[i].key, key) == 0) return &m->slots[i].value;                      \
      i = (i + 1) & (m->cap - 1);                                                            \
    }                                                                                        \
    return NULL;                                                                             \
  }                                                                                          \
  static void NAME##Grow(NAME* m) {                                                          \
    NAME old = *m;                                                                           \
    m->cap = m->cap ? m->cap * 2 : 16;                                                       \
    m->slots = calloc(m->cap, sizeof(NAME##Slot));                                           \
    m->n = 0;                                                                                \
    for (size_t i = 0; i < old.cap; ++i)                                                     \
      if (old.slots[i].used) {                                                               \
        *NAME##At(m, old.slots[i].key) = old.slots[i].value;                                 \
        free(old.slots[i].key);                                                              \
      }                                                                                      \
    free(old.slots);                                                                         \
  }                                                                                          \
  static int NAME##KeyCmp(const void* a, const void* b) {                                    \
    return strcmp(*(char* const*)a, *(char* const*)b);                                       \
  }                                                                                          \
  static void NAME##Report(const NAME* m, Text* out) {                                       \
    char** keys = malloc((m->n + 1) * sizeof(char*));                                        \
    size_t k = 0;                                                                            \
    for (size_t i = 0; i < m->cap; ++i)                                                      \
      if (m->slots[i].used) keys[k++] = m->slots[i].key;                                     \
    qsort(keys, k, sizeof(char*), NAME##KeyCmp);                                             \
    for (size_t i = 0; i < k; ++i) TextPrintf(out, "%-12s " FMT "\n", keys[i], *NAME##Get(m, keys[i])); \
    free(keys);                                                                              \
  }                                                                                          \
  static void NAME##Free(NAME* m) {                                                          \
    for (size_t i = 0; i < m->cap; ++i)                                                      \
      if (m->slots[i].used) free(m->slots[i].key);                                           \
    free(m->slots), m->slots = NULL, m->n = m->cap = 0;                                      \
  }

DEFINE_MAP(long, MapLong, "%ld")
DEFINE_MAP(double, MapDouble, "%.4f")
DEFINE_MAP(uint32_t, MapU32, "%08" PRIx32)
DEFINE_MAP(int64_t, MapI64, "%" PRId64)
DEFINE_MAP(float, MapFloat, "%.2f")
DEFINE_MAP(uint64_t, MapU64, "%016" PRIx64)
DEFINE_MAP(short, MapShort, "%hd")
DEFINE_MAP(unsigned char, MapByte, "%02x")

DEFINE_HEAP(int32_t, HeapI32, CMP_NUM)
DEFINE_HEAP(int32_t, HeapI32Max, CMP_DESC)
DEFINE_HEAP(uint32_t, HeapU32Pop, CMP_POP)
DEFINE_HEAP(int64_t, HeapI64, CMP_NUM)
DEFINE_HEAP(int64_t, HeapI64Abs, CMP_ABS)
DEFINE_HEAP(uint64_t, HeapU64, CMP_NUM)
DEFINE_HEAP(double, HeapF64, CMP_NUM)
DEFINE_HEAP(double, HeapF64Max, CMP_DESC)
DEFINE_HEAP(float, HeapF32, CMP_NUM)
DEFINE_HEAP(int16_t, HeapI16, CMP_NUM)
DEFINE_HEAP(uint8_t, HeapU8Max, CMP_DESC)
DEFINE_HEAP(double, HeapF64Frac, CMP_FRAC)
DEFINE_MATRIX(int32_t, MatI32, "%" PRId32)
DEFINE_MATRIX(int64_t, MatI64, "%" PRId64)
DEFINE_MATRIX(float, MatF32, "%.3g")
DEFINE_MATRIX(double, MatF64, "%.5g")
DEFINE_MATRIX(uint16_t, MatU16, "%u")
DEFINE_MATRIX(uint32_t, MatU32, "%" PRIu32)

/* ---- records ------------------------------------------------------------------------- */
typedef struct {
  int id;
  char name[24];
  char city[16];
  double price;
  long quantity;
  int year;
  char grade;
} Record;

static const char* kCities[] = {"Lisbon", "Oslo", "Quito", "Dakar", "Perth", "Hanoi", "Lima", "Riga",
                                "Turku", "Accra", "Bern", "Cork"};
static const char* kSyllables[] = {"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "za", "po", "qe", "di"};

static void MakeRecord(Record* r, int id) {
  r->id = id;
  r->name[0] = 0;
  int parts = 2 + Below(3);
  for (int i = 0; i < parts; ++i) strncat(r->name, kSyllables[Below(12)], sizeof r->name - strlen(r->name) - 1);
  r->name[0] = (char)toupper((unsigned char)r->name[0]);
  strncpy(r->city, kCities[Below(12)], sizeof r->city - 1);
  r->city[sizeof r->city - 1] = 0;
  r->price = floor(Uniform(0.5, 999.0) * 100.0) / 100.0;
  r->quantity = Below(10000) - 500;
  r->year = 1990 + Below(35);
  r->grade = (char)('A' + Below(5));
}

static void WriteCsv(const Record* rs, size_t n, Text* out) {
  TextPrintf(out, "id,name,city,price,quantity,year,grade\n");
  for (size_t i = 0; i < n; ++i)
    TextPrintf(out, "%d,%s,%s,%.2f,%ld,%d,%c\n", rs[i].id, rs[i].name, rs[i].city, rs[i].price,
               rs[i].quantity, rs[i].year, rs[i].grade);
}

/* Parses the CSV text back; returns the number of records, -1 on a malformed line. */
static long ReadCsv(char* text, Record* out, size_t most) {
  char* save = NULL;
  char* line = strtok_r(text, "\n", &save);
  if (!line || strncmp(line, "id,", 3) != 0) return -1;
  size_t n = 0;
  while ((line = strtok_r(NULL, "\n", &save)) && n < most) {
    Record r;
    memset(&r, 0, sizeof r);
    char* field[7];
    int k = 0;
    for (char* p = line; k < 7; ++k) {
      field[k] = p;
      char* comma = strchr(p, ',');
      if (!comma) { ++k; break; }
      *comma = 0;
      p = comma + 1;
    }
    if (k != 7) return -1;
    char* end;
    errno = 0;
    r.id = (int)strtol(field[0], &end, 10);
    if (*end || errno) return -1;
    snprintf(r.name, sizeof r.name, "%s", field[1]);
    snprintf(r.city, sizeof r.city, "%s", field[2]);
    r.price = strtod(field[3], &end);
    if (*end) return -1;
    r.quantity = strtol(field[4], &end, 10);
    if (*end) return -1;
    if (sscanf(field[5], "%d", &r.year) != 1) return -1;
    r.grade = field[6][0];
    out[n++] = r;
  }
  return (long)n;
}

static int ByPrice(const void* a, const void* b) {
  const Record *x = a, *y = b;
  return x->price < y->price ? -1 : x->price > y->price ? 1 : x->id - y->id;
}
static int ByName(const void* a, const void* b) {
  const Record *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  return c ? c : x->id - y->id;
}
static int ByCityYear(const void* a, const void* b) {
  const Record *x = a, *y = b;
  int c = strcmp(x->city, y->city);
  if (c) return c;
  if (x->year != y->year) return x->year - y->year;
  return x->id - y->id;
}
static int ById(const void* a, const void* b) { return ((const Record*)a)->id - ((const Record*)b)->id; }

/* ---- a small expression language over a record's fields -------------------------------- */
typedef enum { kNum, kField, kAdd, kSub, kMul, kDiv, kMod, kLt, kGt, kEq, kAnd, kOr, kNot, kNeg, kCall } Kind;
typedef struct Node {
  Kind kind;
  double num;
  char name[16];
  struct Node *a, *b;
} Node;

typedef struct {
  const char* at;
  char error[96];
} Parser;

static void Skip(Parser* p) { while (isspace((unsigned char)*p->at)) ++p->at; }
static Node* NewNode(Kind k, Node* a, Node* b) {
  Node* n = calloc(1, sizeof(Node));
  n->kind = k, n->a = a, n->b = b;
  return n;
}
static void FreeNode(Node* n) {
  if (!n) return;
  FreeNode(n->a), FreeNode(n->b), free(n);
}
static Node* ParseOr(Parser* p);
static Node* ParsePrimary(Parser* p) {
  Skip(p);
  if (*p->at == '(') {
    ++p->at;
    Node* n = ParseOr(p);
    Skip(p);
    if (*p->at != ')') { snprintf(p->error, sizeof p->error, "expected ) at '%.8s'", p->at); FreeNode(n); return NULL; }
    ++p->at;
    return n;
  }
  if (*p->at == '-') { ++p->at; Node* a = ParsePrimary(p); return a ? NewNode(kNeg, a, NULL) : NULL; }
  if (*p->at == '!') { ++p->at; Node* a = ParsePrimary(p); return a ? NewNode(kNot, a, NULL) : NULL; }
  if (isdigit((unsigned char)*p->at) || *p->at == '.') {
    char* end;
    Node* n = NewNode(kNum, NULL, NULL);
    n->num = strtod(p->at, &end);
    p->at = end;
    return n;
  }
  if (isalpha((unsigned char)*p->at)) {
    Node* n = NewNode(kField, NULL, NULL);
    size_t k = 0;
    while (isalnum((unsigned char)*p->at) && k < sizeof n->name - 1) n->name[k++] = *p->at++;
    n->name[k] = 0;
    Skip(p);
    if (*p->at == '(') {
      ++p->at;
      n->kind = kCall;
      n->a = ParseOr(p);
      Skip(p);
      if (!n->a || *p->at != ')') { snprintf(p->error, sizeof p->error, "bad call of %s", n->name); FreeNode(n); return NULL; }
      ++p->at;
    }
    return n;
  }
  snprintf(p->error, sizeof p->error, "unexpected '%c'", *p->at ? *p->at : '$');
  return NULL;
}
static Node* ParseMul(Parser* p) {
  Node* n = ParsePrimary(p);
  for (;;) {
    Skip(p);
    char c = *p->at;
    if (!n || (c != '*' && c != '/' && c != '%')) return n;
    ++p->at;
    Node* b = ParsePrimary(p);
    if (!b) { FreeNode(n); return NULL; }
    n = NewNode(c == '*' ? kMul : c == '/' ? kDiv : kMod, n, b);
  }
}
static Node* ParseAdd(Parser* p) {
  Node* n = ParseMul(p);
  for (;;) {
    Skip(p);
    char c = *p->at;
    if (!n || (c != '+' && c != '-')) return n;
    ++p->at;
    Node* b = ParseMul(p);
    if (!b) { FreeNode(n); return NULL; }
    n = NewNode(c == '+' ? kAdd : kSub, n, b);
  }
}
static Node* ParseCmp(Parser* p) {
  Node* n = ParseAdd(p);
  for (;;) {
    Skip(p);
    Kind k;
    if (!n) return NULL;
    if (*p->at == '<') k = kLt;
    else if (*p->at == '>') k = kGt;
    else if (p->at[0] == '=' && p->at[1] == '=') k = kEq, ++p->at;
    else return n;
    ++p->at;
    Node* b = ParseAdd(p);
    if (!b) { FreeNode(n); return NULL; }
    n = NewNode(k, n, b);
  }
}
static Node* ParseOr(Parser* p) {
  Node* n = ParseCmp(p);
  for (;;) {
    Skip(p);
    if (!n) return NULL;
    Kind k;
    if (p->at[0] == '&' && p->at[1] == '&') k = kAnd;
    else if (p->at[0] == '|' && p->at[1] == '|') k = kOr;
    else return n;
    p->at += 2;
    Node* b = ParseCmp(p);
    if (!b) { FreeNode(n); return NULL; }
    n = NewNode(k, n, b);
  }
}

static double FieldOf(const Record* r, const char* name) {
  if (!strcmp(name, "price")) return r->price;
  if (!strcmp(name, "quantity")) return (double)r->quantity;
  if (!strcmp(name, "year")) return r->year;
  if (!strcmp(name, "id")) return r->id;
  if (!strcmp(name, "grade")) return r->grade - 'A';
  if (!strcmp(name, "namelen")) return (double)strlen(r->name);
  if (!strcmp(name, "pi")) return 3.14159265358979;
  return 0;
}
static double Eval(const Node* n, const Record* r) {
  switch (n->kind) {
    case kNum: return n->num;
    case kField: return FieldOf(r, n->name);
    case kAdd: return Eval(n->a, r) + Eval(n->b, r);
    case kSub: return Eval(n->a, r) - Eval(n->b, r);
    case kMul: return Eval(n->a, r) * Eval(n->b, r);
    case kDiv: { double d = Eval(n->b, r); return d == 0 ? 0 : Eval(n->a, r) / d; }
    case kMod: { double d = Eval(n->b, r); return d == 0 ? 0 : fmod(Eval(n->a, r), d); }
    case kLt: return Eval(n->a, r) < Eval(n->b, r);
    case kGt: return Eval(n->a, r) > Eval(n->b, r);
    case kEq: return Eval(n->a, r) == Eval(n->b, r);
    case kAnd: return Eval(n->a, r) != 0 && Eval(n->b, r) != 0;
    case kOr: return Eval(n->a, r) != 0 || Eval(n->b, r) != 0;
    case kNot: return Eval(n->a, r) == 0;
    case kNeg: return -Eval(n->a, r);
    case kCall: {
      double x = Eval(n->a, r);
      if (!strcmp(n->name, "sqrt")) return sqrt(fabs(x));
      if (!strcmp(n->name, "log")) return x > 0 ? log(x) : 0;
      if (!strcmp(n->name, "floor")) return floor(x);
      if (!strcmp(n->name, "abs")) return fabs(x);
      if (!strcmp(n->name, "exp")) return exp(x > 20 ? 20 : x);
      if (!strcmp(n->name, "sin")) return sin(x);
      return x;
    }
  }
  return 0;
}
static void Print(const Node* n, Text* out) {
  static const char* ops[] = {"", "", "+", "-", "*", "/", "%", "<", ">", "==", "&&", "||"};
  switch (n->kind) {
    case kNum: TextPrintf(out, "%g", n->num); break;
    case kField: TextPrintf(out, "%s", n->name); break;
    case kNot: TextPrintf(out, "!"); Print(n->a, out); break;
    case kNeg: TextPrintf(out, "-"); Print(n->a, out); break;
    case kCall: TextPrintf(out, "%s(", n->name); Print(n->a, out); TextPrintf(out, ")"); break;
    default:
      TextPrintf(out, "(");
      Print(n->a, out);
      TextPrintf(out, " %s ", ops[n->kind]);
      Print(n->b, out);
      TextPrintf(out, ")");
  }
}

static const char* kQueries[] = {
    "price * quantity > 10000 && year > 2000",
    "grade == 2 || namelen > 8",
    "sqrt(price) + log(quantity + 600) * 2",
    "floor(price / 10) % 7 == 3",
    "!(year < 2010) && -quantity < 0",
    "abs(quantity - 5000) / (1 + id % 13)",
    "exp(grade) * sin(id) + pi",
    "(price > 500) + (quantity > 5000) + (year > 2015) + (grade == 0)",
    "price * (1 + 0.08 * (grade < 2)) - 3 * (namelen % 4)",
    "((id * 7919) % 1000) / 1000 + year / 2024",
};

/* ---- text utilities ------------------------------------------------------------------ */
static void Upper(char* s) { for (; *s; ++s) *s = (char)toupper((unsigned char)*s); }
static size_t CountWords(const char* s) {
  size_t n = 0;
  int in = 0;
  for (; *s; ++s) {
    int w = isalnum((unsigned char)*s);
    if (w && !in) ++n;
    in = w;
  }
  return n;
}
static void ReplaceAll(Text* out, const char* s, const char* from, const char* to) {
  size_t fl = strlen(from);
  const char* hit;
  while ((hit = strstr(s, from))) {
    TextPrintf(out, "%.*s%s", (int)(hit - s), s, to);
    s = hit + fl;
  }
  TextPrintf(out, "%s", s);
}
static int Levenshtein(const char* a, const char* b) {
  size_t la = strlen(a), lb = strlen(b);
  int* row = malloc((lb + 1) * sizeof(int));
  for (size_t j = 0; j <= lb; ++j) row[j] = (int)j;
  for (size_t i = 1; i <= la; ++i) {
    int prev = row[0];
    row[0] = (int)i;
    for (size_t j = 1; j <= lb; ++j) {
      int cur = row[j];
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int best = prev + cost;
      if (row[j] + 1 < best) best = row[j] + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      prev = cur;
    }
  }
  int d = row[lb];
  free(row);
  return d;
}

/* ---- the run --------------------------------------------------------------------------- */
enum { kRecords = 600 };

static void Containers(const Record* rs, size_t n, Text* out) {
  VecI8 i8 = {0}; VecU8 u8 = {0}; VecI16 i16 = {0}; VecU16 u16 = {0};
  VecI32 i32 = {0}; VecU32 u32 = {0}; VecI64 i64 = {0}; VecU64 u64 = {0};
  VecF32 f32 = {0}; VecF64 f64 = {0}; VecLong lg = {0}; VecULong ul = {0};
  for (size_t i = 0; i < n; ++i) {
    VecI8Push(&i8, (int8_t)rs[i].quantity); VecU8Push(&u8, (uint8_t)rs[i].id);
    VecI16Push(&i16, (int16_t)(rs[i].quantity * 7)); VecU16Push(&u16, (uint16_t)(rs[i].price * 50));
    VecI32Push(&i32, rs[i].year * rs[i].id); VecU32Push(&u32, (uint32_t)rs[i].quantity * 2654435761u);
    VecI64Push(&i64, (int64_t)rs[i].quantity * rs[i].year); VecU64Push(&u64, (uint64_t)(rs[i].price * 1e6));
    VecF32Push(&f32, (float)rs[i].price); VecF64Push(&f64, rs[i].price / (1 + rs[i].id));
    VecLongPush(&lg, rs[i].quantity - rs[i].year); VecULongPush(&ul, (unsigned long)rs[i].id * 31u);
  }
#define WORK(NAME, V, KEY)                                                                   \
  do {                                                                                       \
    double mean, sd, median;                                                                 \
    NAME##Rotate(&V, 17);                                                                    \
    NAME##Sort(&V);                                                                          \
    NAME##Stats(&V, &mean, &sd, &median);                                                    \
    TextPrintf(out, "%-8s mean %.4f sd %.4f median %.4f found %d\n", #NAME, mean, sd, median, \
               NAME##Find(&V, KEY) != NULL);                                                 \
    NAME##Reverse(&V);                                                                       \
    NAME##Sort(&V);                                                                          \
    NAME##Unique(&V);                                                                        \
    NAME##Dump(&V, out, 6);                                                                  \
    NAME##Free(&V);                                                                          \
  } while (0)
  WORK(VecI8, i8, 3); WORK(VecU8, u8, 200); WORK(VecI16, i16, 70); WORK(VecU16, u16, 1000);
  WORK(VecI32, i32, 2000); WORK(VecU32, u32, 7); WORK(VecI64, i64, 0); WORK(VecU64, u64, 500000);
  WORK(VecF32, f32, 1.5f); WORK(VecF64, f64, 0.25); WORK(VecLong, lg, 0); WORK(VecULong, ul, 31);
  VecI32Desc a = {0}; VecI64Abs b = {0}; VecU32Pop c = {0}; VecU64Pop d = {0};
  VecI32Mod e = {0}; VecF64Desc f = {0}; VecF32Abs g = {0}; VecI16Desc h = {0};
  VecU16Swap k = {0}; VecU32Swap l = {0}; VecU8Desc m = {0}; VecLLAbs o = {0};
  VecF64Frac q = {0}; VecI64Mod r = {0}; VecI8Abs s = {0}; VecF32Desc t = {0};
  for (size_t i = 0; i < n; ++i) {
    const Record* x = &rs[i];
    VecI32DescPush(&a, x->year - 2000); VecI64AbsPush(&b, x->quantity * (x->id % 3 - 1));
    VecU32PopPush(&c, (uint32_t)x->id * 40503u); VecU64PopPush(&d, (uint64_t)x->quantity << (x->id % 40));
    VecI32ModPush(&e, (int32_t)x->quantity); VecF64DescPush(&f, x->price * x->price);
    VecF32AbsPush(&g, (float)(x->price - 500)); VecI16DescPush(&h, (int16_t)(x->id - 3000));
    VecU16SwapPush(&k, (uint16_t)(x->id * 13)); VecU32SwapPush(&l, (uint32_t)(x->price * 1000));
    VecU8DescPush(&m, (uint8_t)x->grade); VecLLAbsPush(&o, (long long)x->quantity * x->quantity - 4000000);
    VecF64FracPush(&q, x->price / 7); VecI64ModPush(&r, (int64_t)x->id * x->year);
    VecI8AbsPush(&s, (int8_t)(x->quantity % 200 - 100)); VecF32DescPush(&t, (float)x->price / (float)(1 + x->year % 9));
  }
  WORK(VecI32Desc, a, 5); WORK(VecI64Abs, b, 100); WORK(VecU32Pop, c, 0); WORK(VecU64Pop, d, 1);
  WORK(VecI32Mod, e, 25); WORK(VecF64Desc, f, 4.0); WORK(VecF32Abs, g, 2.0f); WORK(VecI16Desc, h, 7);
  WORK(VecU16Swap, k, 26); WORK(VecU32Swap, l, 1000); WORK(VecU8Desc, m, 'C'); WORK(VecLLAbs, o, 0);
  WORK(VecF64Frac, q, 0.5); WORK(VecI64Mod, r, 40); WORK(VecI8Abs, s, -3); WORK(VecF32Desc, t, 3.0f);
#undef WORK
}

static void Maps(const Record* rs, size_t n, Text* out) {
  MapLong count = {0};
  MapDouble revenue = {0};
  MapU32 hash = {0};
  MapI64 years = {0};
  char key[48];
  for (size_t i = 0; i < n; ++i) {
    ++*MapLongAt(&count, rs[i].city);
    *MapDoubleAt(&revenue, rs[i].city) += rs[i].price * (double)rs[i].quantity;
    snprintf(key, sizeof key, "%s-%c", rs[i].city, rs[i].grade);
    uint32_t* h = MapU32At(&hash, key);
    *h = *h * 31u + (uint32_t)rs[i].id;
    snprintf(key, sizeof key, "y%d", rs[i].year / 5 * 5);
    *MapI64At(&years, key) += rs[i].quantity;
  }
  MapLongReport(&count, out);
  MapDoubleReport(&revenue, out);
  MapU32Report(&hash, out);
  MapI64Report(&years, out);
  MapLongFree(&count), MapDoubleFree(&revenue), MapU32Free(&hash), MapI64Free(&years);
  MapFloat share = {0};
  MapU64 bits = {0};
  MapShort grades = {0};
  MapByte initials = {0};
  for (size_t i = 0; i < n; ++i) {
    snprintf(key, sizeof key, "%.3s%d", rs[i].name, rs[i].year % 10);
    *MapFloatAt(&share, key) += (float)(rs[i].price / 1000);
    *MapU64At(&bits, rs[i].city) |= 1ull << (rs[i].id % 64);
    snprintf(key, sizeof key, "grade %c", rs[i].grade);
    ++*MapShortAt(&grades, key);
    snprintf(key, sizeof key, "%c%c", rs[i].name[0], rs[i].city[0]);
    *MapByteAt(&initials, key) ^= (unsigned char)rs[i].id;
  }
  TextPrintf(out, "%zu name-year keys\n", share.n);
  MapU64Report(&bits, out);
  MapShortReport(&grades, out);
  const float* first = MapFloatGet(&share, "Ka0");
  TextPrintf(out, "%zu initials, share of Ka0 %.3f\n", initials.n, first ? (double)*first : -1.0);
  if (initials.n > 100) MapByteReport(&initials, out);
  if (share.n > 1000) MapFloatReport(&share, out);
  MapFloatFree(&share), MapU64Free(&bits), MapShortFree(&grades), MapByteFree(&initials);
}

static void Heaps(const Record* rs, size_t n, Text* out) {
  HeapI32 a = {0}; HeapI32Max b = {0}; HeapU32Pop c = {0}; HeapI64 d = {0};
  HeapI64Abs e = {0}; HeapU64 f = {0}; HeapF64 g = {0}; HeapF64Max h = {0};
  HeapF32 k = {0}; HeapI16 l = {0}; HeapU8Max m = {0}; HeapF64Frac o = {0};
  for (size_t i = 0; i < n; ++i) {
    const Record* x = &rs[i];
    HeapI32Push(&a, x->year * 31 - x->id); HeapI32MaxPush(&b, (int32_t)x->quantity);
    HeapU32PopPush(&c, (uint32_t)x->id * 2246822519u); HeapI64Push(&d, (int64_t)x->quantity * x->id);
    HeapI64AbsPush(&e, x->quantity - 4500); HeapU64Push(&f, (uint64_t)(x->price * 1e9));
    HeapF64Push(&g, x->price); HeapF64MaxPush(&h, x->price / (x->year - 1980));
    HeapF32Push(&k, (float)x->quantity / 3); HeapI16Push(&l, (int16_t)(x->id ^ x->year));
    HeapU8MaxPush(&m, (uint8_t)x->name[1]); HeapF64FracPush(&o, x->price / 3);
  }
  TextPrintf(out, "heaps %.6g %.6g %.6g %.6g %.6g %.6g\n", HeapI32Drain(&a, 10), HeapI32MaxDrain(&b, 10),
             HeapU32PopDrain(&c, 10), HeapI64Drain(&d, 10), HeapI64AbsDrain(&e, 10), HeapU64Drain(&f, 10));
  TextPrintf(out, "heaps %.6g %.6g %.6g %.6g %.6g %.6g\n", HeapF64Drain(&g, 10), HeapF64MaxDrain(&h, 10),
             HeapF32Drain(&k, 10), HeapI16Drain(&l, 10), HeapU8MaxDrain(&m, 10), HeapF64FracDrain(&o, 10));
}

static void Matrices(const Record* rs, size_t n, Text* out) {
  enum { kSide = 12 };
#define MATRIX_WORK(NAME, EXPR)                                                              \
  do {                                                                                       \
    NAME x = NAME##New(kSide, kSide + 3);                                                    \
    for (size_t i = 0; i < x.rows * x.cols; ++i) {                                           \
      const Record* r = &rs[i % n];                                                          \
      x.at[i] = EXPR;                                                                        \
    }                                                                                        \
    NAME t = NAME##Transpose(&x);                                                            \
    NAME p = NAME##Mul(&x, &t);                                                              \
    NAME q = NAME##Mul(&t, &p);                                                              \
    TextPrintf(out, "%s trace %.6g %.6g\n", #NAME, NAME##Trace(&p), NAME##Trace(&q));        \
    NAME##Print(&p, out);                                                                    \
    free(x.at), free(t.at), free(p.at), free(q.at);                                          \
  } while (0)
  MATRIX_WORK(MatI32, (int32_t)(r->quantity % 100));
  MATRIX_WORK(MatI64, (int64_t)(r->quantity % 1000) * (r->grade - 'A'));
  MATRIX_WORK(MatF32, (float)r->price / 100);
  MATRIX_WORK(MatF64, r->price / (1 + r->year % 7));
  MATRIX_WORK(MatU16, (uint16_t)(r->id % 17));
  MATRIX_WORK(MatU32, (uint32_t)(r->year % 100));
#undef MATRIX_WORK
}

static void Queries(const Record* rs, size_t n, Text* out) {
  for (size_t q = 0; q < sizeof kQueries / sizeof kQueries[0]; ++q) {
    Parser p = {kQueries[q], ""};
    Node* e = ParseOr(&p);
    if (!e) {
      TextPrintf(out, "query %zu: %s\n", q, p.error);
      continue;
    }
    double sum = 0, most = -1e300;
    size_t hits = 0, at = 0;
    for (size_t i = 0; i < n; ++i) {
      double v = Eval(e, &rs[i]);
      sum += v;
      if (v != 0) ++hits;
      if (v > most) most = v, at = i;
    }
    TextPrintf(out, "query %zu ", q);
    Print(e, out);
    TextPrintf(out, ": sum %.6e, %zu nonzero, max %.4g at %d\n", sum, hits, most, rs[at].id);
    FreeNode(e);
  }
  const char* bad[] = {"price * (quantity", "3 + + 4", "sqrt(", "year == "};
  for (size_t q = 0; q < 4; ++q) {
    Parser p = {bad[q], ""};
    Node* e = ParseOr(&p);
    TextPrintf(out, "bad query %zu: %s\n", q, e ? "parsed" : p.error);
    FreeNode(e);
  }
}

static void Texts(const Record* rs, size_t n, Text* out) {
  char line[128];
  size_t words = 0;
  int nearest = 1 << 30;
  for (size_t i = 0; i + 1 < n; ++i) {
    snprintf(line, sizeof line, "%s of %s sold %ld in %d", rs[i].name, rs[i].city, rs[i].quantity, rs[i].year);
    words += CountWords(line);
    int d = Levenshtein(rs[i].name, rs[i + 1].name);
    if (d < nearest) nearest = d;
    if (i % 97 == 0) {
      Upper(line);
      ReplaceAll(out, line, "SOLD", "SHIPPED");
      TextPrintf(out, "\n");
    }
  }
  TextPrintf(out, "words %zu nearest names %d\n", words, nearest);
}

int main(void) {
  Record* rs = calloc(kRecords, sizeof(Record));
  for (int i = 0; i < kRecords; ++i) MakeRecord(&rs[i], 1000 + i * 7);
  Text csv = {0};
  WriteCsv(rs, kRecords, &csv);
  Record* back = calloc(kRecords, sizeof(Record));
  long n = ReadCsv(csv.data, back, kRecords);
  if (n != kRecords) {
    fprintf(stderr, "read back %ld records of %d\n", n, kRecords);
    return 1;
  }
  for (long i = 0; i < n; ++i)
    if (back[i].id != rs[i].id || fabs(back[i].price - rs[i].price) > 0.005 || strcmp(back[i].name, rs[i].name)) {
      fprintf(stderr, "record %ld differs after the round trip\n", i);
      return 1;
    }
  Text out = {0};
  qsort(back, (size_t)n, sizeof(Record), ByPrice);
  TextPrintf(&out, "cheapest %s %.2f, dearest %s %.2f\n", back[0].name, back[0].price, back[n - 1].name, back[n - 1].price);
  qsort(back, (size_t)n, sizeof(Record), ByName);
  TextPrintf(&out, "first name %s, last %s\n", back[0].name, back[n - 1].name);
  qsort(back, (size_t)n, sizeof(Record), ByCityYear);
  TextPrintf(&out, "first city %s %d\n", back[0].city, back[0].year);
  qsort(back, (size_t)n, sizeof(Record), ById);
  Record key = {.id = 1000 + 7 * 321};
  Record* hit = bsearch(&key, back, (size_t)n, sizeof(Record), ById);
  TextPrintf(&out, "record %d: %s\n", key.id, hit ? hit->name : "missing");
  Containers(back, (size_t)n, &out);
  Maps(back, (size_t)n, &out);
  Heaps(back, (size_t)n, &out);
  Matrices(back, (size_t)n, &out);
  Queries(back, (size_t)n, &out);
  Texts(back, (size_t)n, &out);
  Mix(out.data, out.len);
  MixText(csv.data);
  printf("%s", out.len > 2000 ? out.data + out.len - 2000 : out.data);
  printf("checksum %016" PRIx64 " (%zu bytes of report)\n", checksum, out.len);
  TextFree(&out);
  TextFree(&csv);
  free(rs);
  free(back);
  return 0;
}
