// Plugin "privacy": find faces and licence plates in photos and video, and paint them out.
#include "privacy_nodes.hpp"

NFX_PLUGIN("privacy", "0.1.0", "Find faces and licence plates and paint them out, for photos and video") {
  nfx::privacy::register_detect_node(plugin);
  nfx::privacy::register_scrub_node(plugin);
  nfx::privacy::register_hold_node(plugin);
  nfx::privacy::register_sidecar_node(plugin);
  nfx::privacy::register_evaluate_node(plugin);
  nfx::privacy::register_truth_nodes(plugin);
  nfx::privacy::register_train_node(plugin);
}
