// The privacy plugin's logic on its own: box arithmetic, holding boxes over frames, masks and their
// feathered weights, each scrub mode on a real photo, and the evaluation's counting.
#include <boxes.hpp>
#include <evaluation.hpp>
#include <hold.hpp>
#include <model_fill.hpp>
#include <scrub.hpp>
#include <synthetic_plates.hpp>

#include "test_support.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace nfx::privacy;

namespace {

Detection box(float x, float y, float w, float h, float score = 1.0f, int label = face) {
  return {cv::Rect2f(x, y, w, h), score, label};
}

}  // namespace

TEST(PrivacyBoxes, NonMaxSuppressionKeepsTheBestOfOverlappingBoxesPerClass) {
  const Detections kept = non_max_suppression(
      {box(0, 0, 10, 10, 0.5f), box(1, 1, 10, 10, 0.9f), box(1, 1, 10, 10, 0.7f, plate), box(50, 50, 5, 5, 0.1f)}, 0.3f);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_FLOAT_EQ(kept[0].score, 0.9f);  // beat the 0.5 face it overlaps
  EXPECT_EQ(kept[1].label, plate);       // a plate on the same spot is another class
  EXPECT_FLOAT_EQ(kept[2].box.x, 50.0f);
}

TEST(PrivacyBoxes, MarginGrowsAboutTheCentreAndClipsToTheImage) {
  Detections d{box(10, 20, 10, 20), box(0, 0, 10, 10)};
  scale_boxes(d, {1.5f, 1.5f}, cv::Size(100, 100));
  EXPECT_FLOAT_EQ(d[0].box.x, 7.5f);
  EXPECT_FLOAT_EQ(d[0].box.y, 15.0f);
  EXPECT_FLOAT_EQ(d[0].box.width, 15.0f);
  EXPECT_FLOAT_EQ(d[0].box.height, 30.0f);
  EXPECT_FLOAT_EQ(d[1].box.x, 0.0f);  // clipped at the corner
  EXPECT_FLOAT_EQ(d[1].box.width, 12.5f);
  // Each class by its own factor: a face by 1.2, a plate beside it by 2.
  Detections mixed{box(40, 40, 10, 10), box(40, 40, 10, 10, 1.0f, plate)};
  scale_boxes(mixed, {1.2f, 2.0f}, cv::Size(100, 100));
  EXPECT_FLOAT_EQ(mixed[0].box.width, 12.0f);
  EXPECT_FLOAT_EQ(mixed[1].box.width, 20.0f);
  EXPECT_FLOAT_EQ(mixed[1].box.x, 35.0f);
}

TEST(PrivacyBoxes, TensorRoundTripAndBadTensorsAreRefused) {
  const Detections in{box(1, 2, 3, 4, 0.5f, plate), box(5, 6, 7, 8, 2.0f, face)};
  const nfx::Tensor t = boxes_tensor(in);
  EXPECT_EQ(t.dl().shape[1], 6);
  const Detections out = read_boxes(t.dl());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].label, plate);
  EXPECT_FLOAT_EQ(out[1].box.height, 8.0f);
  EXPECT_FLOAT_EQ(out[1].score, 2.0f);

  nfx::Tensor five(nfx::dtype_f32(), {1, 5});
  std::fill_n(five.data<float>(), 5, 1.0f);
  EXPECT_EQ(read_boxes(five.dl(), plate)[0].label, plate);  // the SDK's N x 5 boxes take the default class
  nfx::Tensor bad(nfx::dtype_f32(), {1, 4});
  EXPECT_THROW(read_boxes(bad.dl()), nfx::Error);
  nfx::Tensor bad_class(nfx::dtype_f32(), {1, 6});
  std::fill_n(bad_class.data<float>(), 6, 7.0f);
  EXPECT_THROW(read_boxes(bad_class.dl()), nfx::Error);
}

TEST(PrivacyHold, BoxesStayForTheGivenFramesAfterTheyWereLastSeen) {
  BoxHolder holder(2, 1.0f);
  EXPECT_EQ(holder.update(0, {box(10, 10, 20, 20)}).size(), 1u);
  EXPECT_EQ(holder.update(1, {}).size(), 1u);  // missed: still held
  EXPECT_EQ(holder.update(2, {}).size(), 1u);
  EXPECT_EQ(holder.update(3, {}).size(), 0u);  // three frames unseen: gone
  // A moving box replaces the held one instead of piling up next to it.
  holder.update(4, {box(10, 10, 20, 20)});
  const Detections moved = holder.update(5, {box(14, 10, 20, 20)});
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_FLOAT_EQ(moved[0].box.x, 14.0f);
  // Another class on the same spot is another object.
  EXPECT_EQ(holder.update(6, {box(14, 10, 20, 20, 1.0f, plate)}).size(), 2u);
}

// A small head walking 6 px a frame: missed in frame 3, its box is shown where it walked to, and the
// detection of frame 4 (24 px from the last one seen, so no overlap with it) joins the same track: one box,
// never two.
TEST(PrivacyHold, AMovingBoxIsFollowedThroughAMissedFrameAsOneTrack) {
  BoxHolder holder(5, 1.0f);
  for (int frame = 0; frame < 3; ++frame) ASSERT_EQ(holder.update(frame, {box(100 + 6 * frame, 50, 12, 12)}).size(), 1u);
  const Detections missed = holder.update(3, {});
  ASSERT_EQ(missed.size(), 1u);
  EXPECT_NEAR(missed[0].box.x, 100 + 6 * 3, 1.5f) << "held where the head walked to, not where it was last seen";
  const Detections found = holder.update(4, {box(124, 50, 12, 12)});
  ASSERT_EQ(found.size(), 1u) << "the same head, not a new one beside a stale box";
  EXPECT_FLOAT_EQ(found[0].box.x, 124.0f);
}

// The video graph detects every few frames: a walker's head (30 px box, 5 px a frame) is seen on frames 0, 4
// and 8 only. From the second sighting on the track knows its velocity, so on the frames between the box is
// where the head walked to, and each sighting joins the one track.
TEST(PrivacyHold, AHeadSeenEveryFewFramesIsCarriedAlongItsPath) {
  BoxHolder holder(8, 1.0f);
  for (int frame = 0; frame <= 11; ++frame) {
    const float x = 100.0f + 5 * frame;
    const Detections shown = holder.update(frame, frame % 4 == 0 ? Detections{box(x, 50, 30, 30)} : Detections{});
    ASSERT_EQ(shown.size(), 1u) << "frame " << frame;
    if (frame > 4) {
      EXPECT_NEAR(shown[0].box.x, x, 0.5f) << "frame " << frame;
    }
  }
  // Two walkers crossing paths keep their own tracks: each detection joins the nearer prediction.
  BoxHolder two(8, 1.0f);
  two.update(0, {box(100, 50, 30, 30), box(200, 50, 30, 30)});
  two.update(4, {box(120, 50, 30, 30), box(180, 50, 30, 30)});
  const Detections crossed = two.update(8, {box(140, 50, 30, 30), box(160, 50, 30, 30)});
  EXPECT_EQ(crossed.size(), 2u);
  // Swapped tracks would take on velocities of +-7.5 px a frame and be at 110 and 190 by frame 12.
  const Detections after = two.update(12, {});
  ASSERT_EQ(after.size(), 2u);
  const auto [left, right] = std::minmax(after[0].box.x, after[1].box.x);
  EXPECT_NEAR(left, 140.0f, 0.5f);
  EXPECT_NEAR(right, 160.0f, 0.5f);
}

TEST(PrivacyScrub, FeatheredWeightsAreZeroOutsideTheShapesAndPositiveInside) {
  const cv::Size size(80, 60);
  const Detections d{box(10, 10, 30, 40), box(50, 20, 25, 10, 1.0f, plate)};
  const cv::Mat mask = shape_mask(size, d), weights = feathered_weights(size, d, 0.2f);
  EXPECT_EQ(mask.at<uchar>(10, 10), 0);   // a face box's corner is outside its ellipse
  EXPECT_EQ(mask.at<uchar>(30, 25), 255);  // its centre is inside
  EXPECT_EQ(mask.at<uchar>(20, 50), 255);  // a plate fills its whole box
  for (int y = 0; y < size.height; ++y) {
    for (int x = 0; x < size.width; ++x) {
      ASSERT_EQ(weights.at<float>(y, x) > 0.0f, mask.at<uchar>(y, x) != 0) << x << "," << y;
    }
  }
  EXPECT_FLOAT_EQ(weights.at<float>(30, 25), 1.0f);  // deep inside: fully painted
  EXPECT_LT(weights.at<float>(30, 11), 1.0f);        // at the edge: fading in
}

// Each mode changes exactly the masked pixels of a real photo: none outside, nearly all inside (a pixel
// inside may keep its value by chance, e.g. where the photo is already the fill colour).
// A dark disc (the face) on a flat colour with grain of deviation 6: the smooth fill paints it with the
// colour around it and grain as strong, and the same run gives the same pixels.
TEST(PrivacyScrub, TheSmoothFillTakesTheSurroundingColourAndGrain) {
  cv::Mat image(200, 200, CV_8UC3, cv::Scalar(100, 150, 200));
  cv::Mat grain(image.size(), CV_32FC3);
  cv::RNG(7).fill(grain, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(6));
  cv::Mat noisy;
  image.convertTo(noisy, CV_32FC3);
  noisy += grain;
  noisy.convertTo(image, CV_8UC3);
  cv::circle(image, {100, 100}, 35, cv::Scalar(10, 10, 10), cv::FILLED);
  const Detections d{box(60, 60, 80, 80)};
  const cv::Mat mask = shape_mask(image.size(), d);
  const cv::Mat out = scrub(image, d, mask, ScrubOptions{});
  cv::Mat inner = cv::Mat::zeros(image.size(), CV_8U);  // the disc, clear of the feathered edge
  cv::circle(inner, {100, 100}, 30, cv::Scalar(255), cv::FILLED);
  cv::Scalar mean, deviation;
  cv::meanStdDev(out, mean, deviation, inner);
  const double around[] = {100, 150, 200};
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(mean[c], around[c], 4.0) << "channel " << c;
    EXPECT_GT(deviation[c], 3.0) << "channel " << c << ": a flat patch";
    EXPECT_LT(deviation[c], 10.0) << "channel " << c << ": grain stronger than around it";
  }
  EXPECT_EQ(cv::norm(out, scrub(image, d, mask, ScrubOptions{}), cv::NORM_INF), 0.0);
}

TEST(PrivacyScrub, EveryModeChangesExactlyTheMaskedPixels) {
  cv::Mat image = cv::imread(nfx::test::sample("photos/astronaut.png").string());
  ASSERT_FALSE(image.empty());
  const Detections d{box(160, 60, 120, 130), box(280, 340, 90, 25, 1.0f, plate), box(20, 420, 60, 60)};
  const cv::Mat mask = shape_mask(image.size(), d);
  for (const std::string mode : {"smooth", "inpaint", "blur", "pixelate", "solid"}) {
    SCOPED_TRACE(mode);
    ScrubOptions options;
    options.mode = scrub_mode_from_name(mode);
    options.color = cv::Scalar(0, 255, 0);
    const cv::Mat out = scrub(image, d, mask, options);
    const cv::Mat differs = out != image;  // per channel
    cv::Mat changed;
    cv::reduce(differs.reshape(1, image.rows * image.cols), changed, 1, cv::REDUCE_MAX);
    changed = changed.reshape(1, image.rows);
    cv::Mat changed_outside, changed_inside;
    cv::bitwise_and(changed, ~mask, changed_outside);
    cv::bitwise_and(changed, mask, changed_inside);
    EXPECT_EQ(cv::countNonZero(changed_outside), 0);
    EXPECT_GT(cv::countNonZero(changed_inside), 0.95 * cv::countNonZero(mask));
  }
  EXPECT_THROW(scrub_mode_from_name("smudge"), nfx::Error);
}

// tests/data/privacy/gray-fill.pt fills the mask with mid-gray: fully painted pixels become 128, pixels
// outside the shapes keep their values, and the feathered edge lies in between.
TEST(PrivacyScrub, ModelModeRunsATorchScriptNetwork) {
  const std::string model = std::string(NFX_TEST_SOURCE_DIR) + "/tests/data/privacy/gray-fill.pt";
  cv::Mat bgr = cv::imread(nfx::test::sample("photos/astronaut.png").string()), image;
  cv::cvtColor(bgr, image, cv::COLOR_BGR2RGB);
  const Detections d{box(160, 60, 120, 130)};
  ScrubOptions options;
  options.mode = ScrubMode::model;
  try {
    options.fill = load_fill_model(model);
  } catch (const nfx::Error& e) {
    if (std::string(e.what()).find("without LibTorch") != std::string::npos) GTEST_SKIP() << e.what();
    throw;
  }
  const cv::Mat out = scrub(image, d, shape_mask(image.size(), d), options);
  const cv::Mat weights = feathered_weights(image.size(), d, options.feather);
  int painted = 0;
  for (int y = 0; y < image.rows; ++y) {
    for (int x = 0; x < image.cols; ++x) {
      const float w = weights.at<float>(y, x);
      const cv::Vec3b o = out.at<cv::Vec3b>(y, x), i = image.at<cv::Vec3b>(y, x);
      if (w == 0.0f) {
        ASSERT_EQ(o, i) << x << "," << y;
      } else if (w == 1.0f) {
        ASSERT_EQ(o, cv::Vec3b(128, 128, 128)) << x << "," << y;
        ++painted;
      }
    }
  }
  EXPECT_GT(painted, 5000);
  EXPECT_THROW(load_fill_model("/nowhere/model.pt"), nfx::Error);
}

TEST(PrivacyEvaluation, CountsRecallRemovalAndFalsePositives) {
  Evaluation evaluation({});
  const cv::Size size(200, 100);
  const Detections truth{box(10, 10, 40, 40), box(100, 20, 60, 14, 1.0f, plate), box(150, 60, 30, 30)};
  // Found: the first face (a 1.3x box about it) and the plate; missed: the second face. One false plate.
  Detections detected{box(4, 4, 52, 52), box(95, 17, 70, 20, 1.0f, plate), box(60, 70, 20, 10, 1.0f, plate)};
  cv::Mat mask = shape_mask(size, detected);
  // On the scrubbed image the plate is found again: not removed.
  evaluation.add(truth, detected, mask, {box(98, 18, 64, 18, 1.0f, plate)});
  EXPECT_EQ(evaluation.images(), 1);
  EXPECT_EQ(evaluation.score(face).truths, 2);
  EXPECT_EQ(evaluation.score(face).detected, 1);
  EXPECT_EQ(evaluation.score(face).removed, 1);
  EXPECT_EQ(evaluation.score(plate).detected, 1);
  EXPECT_EQ(evaluation.score(plate).covered, 1);
  EXPECT_EQ(evaluation.score(plate).removed, 0);
  EXPECT_EQ(evaluation.score(plate).false_positives, 1);
  // A box much larger than the object does not count as finding it.
  EXPECT_FALSE(finds(box(0, 0, 200, 100), box(10, 10, 10, 10), {}));
}

// American plates are 2:1; motion blur smears each plate into the few pixels around it, and no further.
TEST(PrivacySynthetic, AmericanPlatesAreTwoToOneAndMotionBlurStaysNearThem) {
  const cv::Scalar green(40, 90, 40);
  cv::Mat image(400, 600, CV_8UC3, green);
  std::mt19937 rng(5);
  PlateSetOptions options;
  options.count = 3;
  options.layout = PlateLayout::american;
  options.motion_blur = 0.2;
  Detections truth;
  paste_plates(image, options, rng, truth);
  ASSERT_EQ(truth.size(), 3u);
  cv::Mat near = cv::Mat::zeros(image.size(), CV_8U);
  for (const Detection& d : truth) {
    const cv::Rect r(d.box);
    EXPECT_NEAR(static_cast<double>(r.width) / r.height, 2.0, 0.05);
    const int reach = static_cast<int>(std::ceil(0.2 * r.width)) + 1;
    near(cv::Rect(r.x - reach, r.y - reach, r.width + 2 * reach, r.height + 2 * reach) &
         cv::Rect(0, 0, image.cols, image.rows))
        .setTo(255);
  }
  const cv::Mat differs = image != cv::Mat(image.size(), CV_8UC3, green);  // per channel
  cv::Mat changed;
  cv::reduce(differs.reshape(1, image.rows * image.cols), changed, 1, cv::REDUCE_MAX);
  changed = changed.reshape(1, image.rows);
  EXPECT_EQ(cv::countNonZero(changed & ~near), 0) << "blur reached beyond its length";
  const cv::Mat boxes = shape_mask(image.size(), truth);  // plates: their whole boxes
  EXPECT_GT(cv::countNonZero(changed & ~boxes), 0) << "the blur spreads the plates past their boxes";
}

// Light-on-dark plates seen at an angle: darker than mid-grey on the whole, with light characters, and each true box the
// bounds of the tilted plate, smaller than the upright one. Recompression as JPEG changes the plate's
// surroundings a little (the same plate with and without it: above 25 dB apart, not equal).
TEST(PrivacySynthetic, DarkPlatesAtAnAngleAndRecompressed) {
  const cv::Scalar green(40, 90, 40);
  cv::Mat image(400, 600, CV_8UC3, green);
  std::mt19937 rng(9);
  PlateSetOptions options;
  options.count = 4;
  options.dark_share = 1.0;
  options.perspective = 0.2;
  Detections truth;
  paste_plates(image, options, rng, truth);
  ASSERT_EQ(truth.size(), 4u);
  for (const Detection& d : truth) {
    const cv::Rect r(d.box);
    cv::Mat gray;
    cv::cvtColor(image(r), gray, cv::COLOR_RGB2GRAY);
    double lightest = 0;
    cv::minMaxLoc(gray, nullptr, &lightest);
    EXPECT_LT(cv::mean(gray)[0], 128.0) << "a light plate is 140 or more";
    EXPECT_GT(lightest, 150.0) << "light characters";
    const cv::Mat background = image(r) == cv::Mat(r.size(), CV_8UC3, green);  // per channel
    cv::Mat untouched;
    cv::reduce(background.reshape(1, r.area()), untouched, 1, cv::REDUCE_MIN);
    EXPECT_GT(cv::countNonZero(untouched), 0) << "a tilted plate leaves corners of its bounds to the background";
  }

  PlateSetOptions one;
  one.count = 1;
  cv::Mat plain(200, 300, CV_8UC3, green), compressed = plain.clone();
  std::mt19937 a(4), b(4);
  Detections ta, tb;
  paste_plates(plain, one, a, ta);
  one.jpeg_quality = 30;
  paste_plates(compressed, one, b, tb);
  ASSERT_EQ(ta.size(), 1u);
  EXPECT_EQ(ta[0].box, tb[0].box);
  EXPECT_GT(cv::norm(plain, compressed, cv::NORM_INF), 0.0);
  EXPECT_GT(cv::PSNR(plain, compressed), 25.0);
}

TEST(PrivacySynthetic, PlatesArePastedWhereTheirBoxesSayAndNeverOverlap) {
  cv::Mat image(400, 600, CV_8UC3, cv::Scalar(40, 90, 40));
  std::mt19937 rng(3);
  PlateSetOptions options;
  options.count = 6;
  Detections truth;
  paste_plates(image, options, rng, truth);
  ASSERT_EQ(truth.size(), 6u);
  for (size_t i = 0; i < truth.size(); ++i) {
    const cv::Rect r(truth[i].box);
    EXPECT_NEAR(static_cast<double>(r.width) / r.height, 520.0 / 112.0, 0.3);
    // The plate is light (dimmed at most to 0.7, with dark text); the background is dark green.
    EXPECT_GT(cv::mean(image(r))[0], 100.0);
    for (size_t j = i + 1; j < truth.size(); ++j) EXPECT_EQ((truth[i].box & truth[j].box).area(), 0.0f);
  }
}
