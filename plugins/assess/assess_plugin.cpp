// Plugin "assess": quality grading when the defects are rare (docs/assess.md).
#include "nodes/assess_nodes.hpp"

NFX_PLUGIN("assess", "0.1.0", "Quality grading with rare defect classes: a compact CNN trained with a conditional GAN's items "
                              "of the rare classes (or the usual remedies), calibrated, with accept / reject / review decisions") {
  nfx::assess::register_train_node(plugin);
  nfx::assess::register_classify_node(plugin);
  nfx::assess::register_eval_node(plugin);
  nfx::assess::register_sample_data_node(plugin);
}
