#pragma once
/// Splits a byte stream (one message, or an mbox of many) into messages and keeps only each
/// message's header section: reading a multi-gigabyte mbox costs the memory of one header block.
/// Sans-I/O: the caller feeds bytes as they arrive, in chunks of any size.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace maildiag::message {

/// True for an mbox separator line: "From " sender and a date with a clock time and a year
/// ("From alice@example.org Tue Mar  5 14:02:11 2024"); a body line "From here on" is not one.
[[nodiscard]] bool is_mbox_separator(std::string_view line);

class HeaderStream {
 public:
  struct Message {
    std::size_t index = 0;        ///< 1-based position in the stream
    std::string_view headers;     ///< the header section, mbox "From " line included
    bool cut = false;             ///< the header section was longer than the limit and was cut
    bool mbox = false;            ///< the stream is an mbox (it began with a "From " line)
  };
  using Sink = std::function<void(const Message&)>;

  explicit HeaderStream(Sink sink, std::size_t max_header_bytes = 4u << 20);

  /// Feeds the next bytes. Messages are delivered to the sink as soon as their headers end.
  void feed(std::string_view bytes);
  /// Ends the stream and delivers the last message.
  void finish();
  [[nodiscard]] std::size_t messages() const { return index_; }

 private:
  enum class Mode { unknown, single, mbox };
  void emit(std::size_t length, bool cut);
  void emit(std::string_view headers, bool cut);
  bool feed_in_place(std::string_view d, std::string_view& rest);
  std::string_view feed_headers(std::string_view d);
  std::string_view feed_body(std::string_view d);
  std::string_view not_a_separator(std::string_view rest, std::size_t eol);

  Sink sink_;
  std::size_t max_;
  Mode mode_ = Mode::unknown;
  bool in_headers_ = true;
  bool from_checked_ = false;  ///< the current message's "From " line was seen to be a separator
  std::string hdr_;
  std::string carry_;  ///< last bytes of the body seen, to find "\nFrom " across chunks
  std::size_t index_ = 0;
};

}  // namespace maildiag::message
