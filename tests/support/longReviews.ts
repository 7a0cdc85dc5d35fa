// Reviews long enough that sixteen of them fill one 4,096-token ONNX run (16 windows of up to 256 positions).

/** `count` different reviews of about 230 model tokens each (one window: under the 254 content positions). */
export function longReviews(count: number): string[] {
  const sentence = "Giao hàng nhanh, đóng gói cẩn thận, sản phẩm dùng rất ổn, nhân viên tư vấn nhiệt tình. ";
  return Array.from({ length: count }, (_, i) => `Đánh giá số ${i}: ${sentence.repeat(14)}`);
}
