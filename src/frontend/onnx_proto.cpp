// Protobuf wire format: a message is a sequence of (tag, value) where the tag is
// a varint (field number << 3 | wire type) and the wire type says how to read
// the value: 0 varint, 1 fixed 64-bit, 2 length-delimited (strings, bytes,
// sub-messages, packed repeated scalars), 5 fixed 32-bit.
#include "frontend/onnx_proto.h"

#include <bit>
#include <cstring>

#include "support/error.h"

namespace weft::frontend::onnx {

const Attribute* NodeProto::find(const std::string& attr) const {
  for (const Attribute& a : attributes)
    if (a.name == attr) return &a;
  return nullptr;
}

namespace {

enum Wire { kVarint = 0, kFixed64 = 1, kLength = 2, kFixed32 = 5 };

class Reader {
 public:
  Reader(const std::string& data, size_t begin, size_t end, const std::string& input, std::string path)
      : data_(data), pos_(begin), end_(end), input_(input), path_(std::move(path)) {}

  bool done() const { return pos_ >= end_; }

  // Reads a tag; returns (field, wire type).
  std::pair<uint64_t, int> tag() {
    field_start_ = pos_;
    uint64_t t = varint();
    int wire = static_cast<int>(t & 7);
    if (t >> 3 == 0) fail(field_start_, "field number 0");
    return {t >> 3, wire};
  }

  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= end_) fail(pos_, "truncated varint");
      auto b = static_cast<uint8_t>(data_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    fail(pos_, "varint longer than 10 bytes");
  }

  uint32_t fixed32() { return static_cast<uint32_t>(fixed(4)); }
  uint64_t fixed64() { return fixed(8); }

  // The extent of a length-delimited value, consumed.
  std::pair<size_t, size_t> span() {
    uint64_t n = varint();
    if (n > end_ - pos_) fail(pos_, "length " + std::to_string(n) + " runs past the end of the enclosing message");
    size_t begin = pos_;
    pos_ += n;
    return {begin, pos_};
  }
  std::string bytes() {
    auto [b, e] = span();
    return data_.substr(b, e - b);
  }
  Reader message(const std::string& name) {
    auto [b, e] = span();
    return Reader(data_, b, e, input_, path_ + "." + name);
  }

  void skip(int wire) {
    switch (wire) {
      case kVarint: varint(); return;
      case kFixed64: fixed(8); return;
      case kFixed32: fixed(4); return;
      case kLength: span(); return;
      default: fail(field_start_, "unsupported wire type " + std::to_string(wire));
    }
  }

  void expect(int wire, int expected, const std::string& field) {
    if (wire != expected)
      fail(field_start_, "field '" + field + "' has wire type " + std::to_string(wire) + ", expected " +
                             std::to_string(expected));
  }

  // Repeated integers, packed (one length-delimited run) or one per tag.
  void ints(int wire, std::vector<int64_t>& out, const std::string& field) {
    if (wire == kVarint) {
      out.push_back(static_cast<int64_t>(varint()));
      return;
    }
    expect(wire, kLength, field);
    auto [b, e] = span();
    Reader packed(data_, b, e, input_, path_ + "." + field);
    while (!packed.done()) out.push_back(static_cast<int64_t>(packed.varint()));
  }

  // Repeated floats (fixed32) or doubles (fixed64), packed or not.
  void reals(int wire, std::vector<double>& out, bool is_double, const std::string& field) {
    int scalar = is_double ? kFixed64 : kFixed32;
    if (wire == scalar) {
      out.push_back(is_double ? as_double(fixed64()) : as_float(fixed32()));
      return;
    }
    expect(wire, kLength, field);
    auto [b, e] = span();
    Reader packed(data_, b, e, input_, path_ + "." + field);
    while (!packed.done()) out.push_back(is_double ? as_double(packed.fixed64()) : as_float(packed.fixed32()));
  }

  static double as_float(uint32_t bits) { return std::bit_cast<float>(bits); }
  static double as_double(uint64_t bits) { return std::bit_cast<double>(bits); }

  [[noreturn]] void fail(size_t at, const std::string& what) const {
    throw UsageError(input_ + ": byte " + std::to_string(at) + " (" + path_ + "): " + what);
  }
  [[noreturn]] void fail_field(const std::string& what) const { fail(field_start_, what); }

 private:
  uint64_t fixed(int n) {
    if (end_ - pos_ < static_cast<size_t>(n)) fail(pos_, "truncated fixed-width value");
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
    pos_ += n;
    return v;
  }

  const std::string& data_;
  size_t pos_, end_;
  const std::string& input_;
  std::string path_;
  size_t field_start_ = 0;
};

// Little-endian raw_data of a TensorProto into floats or ints.
void decode_raw(Reader& r, const std::string& raw, TensorData& t) {
  auto load = [&](size_t width, auto convert) {
    if (raw.size() % width) r.fail_field("raw_data of " + std::to_string(raw.size()) + " bytes is not a whole number of elements");
    for (size_t k = 0; k < raw.size(); k += width) {
      uint64_t bits = 0;
      for (size_t i = 0; i < width; ++i) bits |= static_cast<uint64_t>(static_cast<uint8_t>(raw[k + i])) << (8 * i);
      convert(bits);
    }
  };
  switch (t.data_type) {
    case kFloat: load(4, [&](uint64_t b) { t.floats.push_back(Reader::as_float(static_cast<uint32_t>(b))); }); break;
    case kDouble: load(8, [&](uint64_t b) { t.floats.push_back(Reader::as_double(b)); }); break;
    case kInt64: load(8, [&](uint64_t b) { t.ints.push_back(static_cast<int64_t>(b)); }); break;
    case kInt32:
      load(4, [&](uint64_t b) { t.ints.push_back(static_cast<int32_t>(static_cast<uint32_t>(b))); });
      break;
    default: break;  // the importer names unsupported data types with the tensor
  }
}

TensorData read_tensor(Reader r) {
  TensorData t;
  std::string raw;
  while (!r.done()) {
    auto [field, wire] = r.tag();
    switch (field) {
      case 1: r.ints(wire, t.dims, "dims"); break;
      case 2: r.expect(wire, kVarint, "data_type"); t.data_type = static_cast<int32_t>(r.varint()); break;
      case 4: r.reals(wire, t.floats, false, "float_data"); break;
      case 5: r.ints(wire, t.ints, "int32_data"); break;
      case 7: r.ints(wire, t.ints, "int64_data"); break;
      case 8: r.expect(wire, kLength, "name"); t.name = r.bytes(); break;
      case 9: r.expect(wire, kLength, "raw_data"); raw = r.bytes(); break;
      case 10: r.reals(wire, t.floats, true, "double_data"); break;
      default: r.skip(wire);
    }
  }
  if (!raw.empty()) decode_raw(r, raw, t);
  return t;
}

std::vector<Dim> read_shape(Reader r) {
  std::vector<Dim> dims;
  while (!r.done()) {
    auto [field, wire] = r.tag();
    if (field != 1) {
      r.skip(wire);
      continue;
    }
    r.expect(wire, kLength, "dim");
    Reader d = r.message("dim");
    Dim dim;
    while (!d.done()) {
      auto [f, w] = d.tag();
      if (f == 1 && w == kVarint) dim.value = static_cast<int64_t>(d.varint());
      else if (f == 2 && w == kLength) dim.param = d.bytes();
      else d.skip(w);
    }
    dims.push_back(dim);
  }
  return dims;
}

ValueInfo read_value_info(Reader r) {
  ValueInfo v;
  while (!r.done()) {
    auto [field, wire] = r.tag();
    if (field == 1) {
      r.expect(wire, kLength, "name");
      v.name = r.bytes();
    } else if (field == 2) {
      r.expect(wire, kLength, "type");
      Reader type = r.message("type");
      while (!type.done()) {
        auto [f, w] = type.tag();
        if (f != 1) {  // only tensor types
          type.skip(w);
          continue;
        }
        type.expect(w, kLength, "tensor_type");
        Reader tensor = type.message("tensor_type");
        while (!tensor.done()) {
          auto [tf, tw] = tensor.tag();
          if (tf == 1 && tw == kVarint) v.elem_type = static_cast<int32_t>(tensor.varint());
          else if (tf == 2 && tw == kLength) v.shape = read_shape(tensor.message("shape"));
          else tensor.skip(tw);
        }
      }
    } else {
      r.skip(wire);
    }
  }
  return v;
}

Attribute read_attribute(Reader r) {
  Attribute a;
  while (!r.done()) {
    auto [field, wire] = r.tag();
    switch (field) {
      case 1: r.expect(wire, kLength, "name"); a.name = r.bytes(); break;
      case 2: r.expect(wire, kFixed32, "f"); a.f = Reader::as_float(r.fixed32()); break;
      case 3: r.expect(wire, kVarint, "i"); a.i = static_cast<int64_t>(r.varint()); break;
      case 4: r.expect(wire, kLength, "s"); a.s = r.bytes(); break;
      case 5: r.expect(wire, kLength, "t"); a.t = read_tensor(r.message("t")); break;
      case 7: r.reals(wire, a.floats, false, "floats"); break;
      case 8: r.ints(wire, a.ints, "ints"); break;
      default: r.skip(wire);
    }
  }
  return a;
}

NodeProto read_node(Reader r) {
  NodeProto n;
  while (!r.done()) {
    auto [field, wire] = r.tag();
    switch (field) {
      case 1: r.expect(wire, kLength, "input"); n.inputs.push_back(r.bytes()); break;
      case 2: r.expect(wire, kLength, "output"); n.outputs.push_back(r.bytes()); break;
      case 3: r.expect(wire, kLength, "name"); n.name = r.bytes(); break;
      case 4: r.expect(wire, kLength, "op_type"); n.op_type = r.bytes(); break;
      case 5: r.expect(wire, kLength, "attribute"); n.attributes.push_back(read_attribute(r.message("attribute"))); break;
      case 7: r.expect(wire, kLength, "domain"); n.domain = r.bytes(); break;
      default: r.skip(wire);
    }
  }
  return n;
}

GraphProto read_graph(Reader r) {
  GraphProto g;
  while (!r.done()) {
    auto [field, wire] = r.tag();
    switch (field) {
      case 1:
        r.expect(wire, kLength, "node");
        g.nodes.push_back(read_node(r.message("node[" + std::to_string(g.nodes.size()) + "]")));
        break;
      case 2: r.expect(wire, kLength, "name"); g.name = r.bytes(); break;
      case 5: r.expect(wire, kLength, "initializer"); g.initializers.push_back(read_tensor(r.message("initializer"))); break;
      case 11: r.expect(wire, kLength, "input"); g.inputs.push_back(read_value_info(r.message("input"))); break;
      case 12: r.expect(wire, kLength, "output"); g.outputs.push_back(read_value_info(r.message("output"))); break;
      default: r.skip(wire);
    }
  }
  return g;
}

}  // namespace

ModelProto parse_model(const std::string& bytes, const std::string& input_name) {
  Reader r(bytes, 0, bytes.size(), input_name, "ModelProto");
  ModelProto m;
  while (!r.done()) {
    auto [field, wire] = r.tag();
    switch (field) {
      case 1: r.expect(wire, kVarint, "ir_version"); m.ir_version = static_cast<int64_t>(r.varint()); break;
      case 2: r.expect(wire, kLength, "producer_name"); m.producer = r.bytes(); break;
      case 7: r.expect(wire, kLength, "graph"); m.graph = read_graph(r.message("graph")); break;
      case 8: {
        r.expect(wire, kLength, "opset_import");
        Reader op = r.message("opset_import");
        std::string domain;
        int64_t version = 0;
        while (!op.done()) {
          auto [f, w] = op.tag();
          if (f == 1 && w == kLength) domain = op.bytes();
          else if (f == 2 && w == kVarint) version = static_cast<int64_t>(op.varint());
          else op.skip(w);
        }
        if (domain.empty() || domain == "ai.onnx") m.opset = version;
        break;
      }
      default: r.skip(wire);
    }
  }
  return m;
}

}  // namespace weft::frontend::onnx
