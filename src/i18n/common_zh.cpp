// The Simplified Chinese sentences of sentences shared by several subcommands (interrupted runs, credentials, resolvers, input errors).
// Ids are "common.<what>"; "{}" marks an argument (i18n::format). Protocol tokens (commands, codes,
// header and capability names) stay untranslated inside the sentences.

#include "catalog_data.hpp"

namespace maildiag::i18n::detail {

const Table& common_zh() {
  static const Table k{
      // Inputs that cannot be read (a file named on the command line, or stdin).
      {"common.input.cannot-open.errno", "无法打开 {}：{}"},
      {"common.input.cannot-read.errno", "无法读取 {}：{}"},
      {"common.input.cannot-read", "无法读取 {}"},
      {"common.input.directory", "{} 是一个目录"},
      // `maildiag explain` given something that is not a reply (the parser says why, in English).
      {"common.explain.cannot-explain", "无法解释 \"{}\"：{}"},
      // A run stopped by Ctrl-C or SIGTERM (app/interrupted.hpp); the signal's name stays as it is.
      {"common.interrupted.title", "被 {} 中断，当时正在等待 {}"},
      {"common.interrupted.title.none", "未被中断，当时正在等待 {}"},
      {"common.interrupted.signal", "信号 {}"},
      {"common.interrupted.detail", "运行在完成之前被停止；结果是停止前看到的情况。"},
      {"common.interrupted.fix", "重新运行检查并让它完成（可用 --timeout 限制较慢步骤的时长）。"},
  };
  return k;
}

}  // namespace maildiag::i18n::detail
