export default function Topics() {
  return <p>Topics</p>;
}
