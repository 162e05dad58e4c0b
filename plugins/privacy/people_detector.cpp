#include "detectors.hpp"

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

namespace nfx::privacy {

cv::Rect2f head_of_person(const cv::Rect2f& person) {
  // The default people detector's window is 64 x 128 with the person about 96 px tall in it: the head's
  // centre sits 0.17 of the box down (measured on the hand-labelled heads of vtest.avi's first half), and
  // the head is about a tenth of the box tall. The box is twice that, for a walker's sway and a box that
  // sits a little off.
  const float side = 0.22f * person.height;
  const cv::Point2f centre(person.x + person.width / 2, person.y + 0.17f * person.height);
  return {centre.x - side / 2, centre.y - side / 2, side, side};
}

namespace {

class PeopleDetector : public Detector {
 public:
  explicit PeopleDetector(const PeopleOptions& options) : options_(options) {
    hog_.setSVMDetector(cv::HOGDescriptor::getDefaultPeopleDetector());
  }

  Detections detect(const Frame& frame) const override {
    cv::Mat enlarged;
    cv::resize(frame.gray, enlarged, {}, options_.upsample, options_.upsample, cv::INTER_LINEAR);
    std::vector<cv::Rect> people;
    std::vector<double> weights;
    hog_.detectMultiScale(enlarged, people, weights, 0, cv::Size(8, 8), cv::Size(0, 0), options_.scale_step, 2);
    Detections heads;
    const float back = static_cast<float>(1.0 / options_.upsample);
    for (size_t i = 0; i < people.size(); ++i) {
      if (weights[i] < options_.threshold) continue;
      const cv::Rect2f person(people[i].x * back, people[i].y * back, people[i].width * back, people[i].height * back);
      heads.push_back({head_of_person(person), static_cast<float>(weights[i]), face});
    }
    return heads;
  }

 private:
  PeopleOptions options_;
  cv::HOGDescriptor hog_;  // detectMultiScale is const and keeps no state between calls
};

}  // namespace

std::unique_ptr<Detector> make_people_detector(const PeopleOptions& options) {
  return std::make_unique<PeopleDetector>(options);
}

}  // namespace nfx::privacy
